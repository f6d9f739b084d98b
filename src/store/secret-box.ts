import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The full GCM authentication tag. */
const TAG_BYTES = 16;

/**
 * AES-256-GCM for provider credentials and webhook secrets at rest. The
 * associated data binds a ciphertext to its row (tenant + purpose), so a blob
 * copied to another tenant's row does not decrypt.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKeyBase64: string) {
    const key = Buffer.from(masterKeyBase64, 'base64');
    if (key.length !== 32) throw new Error('MASTER_KEY must be 32 bytes, base64-encoded');
    this.key = key;
  }

  seal(plain: unknown, associated: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${body.toString('base64')}`;
  }

  open<T = unknown>(sealed: string, associated: string): T {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const authTag = Buffer.from(tag, 'base64');
    // GCM accepts tags as short as 4 bytes unless told otherwise; seal writes 16, so only 16 opens.
    if (authTag.length !== TAG_BYTES) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(authTag);
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }
}
