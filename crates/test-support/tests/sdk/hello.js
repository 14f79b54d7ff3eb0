// Proves the official JavaScript SDK is installed and loads under Node: prints its version.
const diffusion = require('diffusion');
console.log('js-sdk', diffusion.version);
