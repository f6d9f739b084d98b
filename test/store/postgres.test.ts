import { storeSuite } from './store-suite.js';

// The real PostgreSQL on 127.0.0.1:5432 (TEST_DATABASE_URL), in a schema of its own.
storeSuite('postgres');
