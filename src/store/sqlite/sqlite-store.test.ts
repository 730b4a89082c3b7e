import { join } from 'node:path';
import { tempDir } from '../../testing/temp.js';
import { openStore } from '../open-store.js';
import { storeContract } from '../store.contract.js';

storeContract('sqlite', async () => {
  const tmp = tempDir();
  const store = await openStore(join(tmp.dir, 'nested', 'threats.db'));
  return { store, cleanup: async () => tmp.remove() };
});
