// A kami:tool@0.1.0 component in JavaScript, made with `jco componentize` (componentize-js):
// run(input) upper-cases the "text" field of a JSON object; a missing field is an error (err).
import { log } from 'kami:tool/host@0.1.0';

export const tool = {
  run(input) {
    log('info', 'js-upper: ' + input.length + ' characters in');
    let value;
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw 'input is not JSON: ' + e.message;
    }
    if (typeof value.text !== 'string') {
      throw 'missing string field "text"';
    }
    return JSON.stringify({ text: value.text.toUpperCase(), length: value.text.length });
  },
  describe() {
    return JSON.stringify({ name: 'js-upper', description: 'Upper-cases the text field (JavaScript component)' });
  },
};
