import type { Model } from 'wink-nlp';

/** wink-eng-lite-web-model, loaded on the first call (wink-model.cjs). */
declare function loadWinkModel(): Model;
export = loadWinkModel;
