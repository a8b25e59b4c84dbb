import"./chunks/chunk-WV2ORLTR.js";
