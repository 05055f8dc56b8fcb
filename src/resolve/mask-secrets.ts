/**
 * Replaces every secret value in a message (as written, and as JSON would quote it) with "(secret)":
 * error messages and command output quote values, and a secret's value is never shown.
 */
export function maskSecrets(message: string, secretValues: string[]): string {
  return secretValues.reduce((text, secret) => text.split(secret).join('(secret)').split(JSON.stringify(secret).slice(1, -1)).join('(secret)'), message);
}
