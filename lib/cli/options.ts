import { InvalidArgumentError, Option } from 'commander';

/**
 * Makes a single-value option refuse a second occurrence (`--id acme --id beta`), which commander would
 * otherwise resolve silently to the last one. Keeps the option's own parser (e.g. `.choices()`).
 */
export function once(option: Option): Option {
  const parse = option.parseArg;
  let seen = false;
  return option.argParser((value: string, previous: unknown) => {
    if (seen) throw new InvalidArgumentError(`${option.long} was given more than once; give it once`);
    seen = true;
    return parse ? parse(value, previous) : value;
  });
}
