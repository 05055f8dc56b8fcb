// The output formats of `provision validate`, apart from the command so the CLI can offer them as
// choices without loading the validator.
export const validateOutputFormats = ['text', 'json', 'github', 'junit'] as const;
export type ValidateOutputFormat = (typeof validateOutputFormats)[number];
