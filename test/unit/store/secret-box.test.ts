import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/store/secret-box.js';

/**
 * Issue 9 item 9: AES-GCM decryption did not pin the tag length, so a sealed
 * secret whose 16-byte tag was cut to 4 bytes still opened — and a 4-byte
 * tag is a 1-in-4-billion guess away from a forgery.
 */
describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32).toString('base64'));

  it('opens what it sealed, for the same purpose only', () => {
    const sealed = box.seal({ clientSecret: 's3cret' }, 'connection:acme:procountor');
    expect(box.open(sealed, 'connection:acme:procountor')).toEqual({ clientSecret: 's3cret' });
    expect(() => box.open(sealed, 'connection:globex:procountor')).toThrow();
  });

  it('refuses a shortened authentication tag, even one cut from the right tag', () => {
    const sealed = box.seal('whsec_abc', 'webhook:acme');
    const [version, iv, tag, body] = sealed.split('.');
    for (const length of [4, 8, 12, 15]) {
      const short = Buffer.from(tag!, 'base64').subarray(0, length).toString('base64');
      expect(() => box.open([version, iv, short, body].join('.'), 'webhook:acme'), `${length}-byte tag`).toThrow();
    }
  });

  it('refuses a tampered body or tag', () => {
    const sealed = box.seal('value', 'aad');
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64')].join('.'), 'aad')).toThrow();
    const badTag = Buffer.from(tag!, 'base64');
    badTag[15] = badTag[15]! ^ 1;
    expect(() => box.open([version, iv, badTag.toString('base64'), body].join('.'), 'aad')).toThrow();
  });
});
