import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

/*
 * @salesforce/core renders a list message (actions, examples) line by line and, when tokens are passed, writes a
 * level-40 "Unable to render tokens in message" warning to sf's log for every line without a specifier. A list whose
 * lines all take tokens, or none, renders cleanly; a suggestion that only some lines would take is a message of its own.
 */
const MESSAGES_DIR = join(process.cwd(), 'messages');
const SPECIFIER = /%[sdifjoO]/;

function listSections(file: string): Array<{ key: string; lines: string[] }> {
  const text = readFileSync(join(MESSAGES_DIR, file), 'utf8');
  return text
    .split(/^# /m)
    .slice(1)
    .map((section) => {
      const [heading, ...body] = section.split('\n');
      return { key: heading.trim(), lines: body.map((line) => line.trim()).filter((line) => line !== '') };
    })
    .filter(({ lines }) => lines.length > 0 && lines.every((line) => line.startsWith('- ')));
}

describe('messages', () => {
  it('registers the messages folder in one module only, so that a command lists it once', () => {
    const sources = readdirSync(join(process.cwd(), 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const registering = sources.filter((file) => readFileSync(join(process.cwd(), 'src', file), 'utf8').includes('Messages.importMessagesDirectory'));
    expect(registering).to.deep.equal([join('common', 'pluginMessages.ts')]);
  });

  const files = readdirSync(MESSAGES_DIR).filter((file) => file.endsWith('.md'));

  it('finds the message files and their action lists', () => {
    expect(files).to.include('shared.md');
    expect(listSections('shared.md').map(({ key }) => key)).to.include('error.UnknownApp.actions');
  });

  it('has no list message that mixes lines with and without tokens', () => {
    const mixed = files.flatMap((file) =>
      listSections(file)
        .filter(({ lines }) => lines.some((line) => SPECIFIER.test(line)) && !lines.every((line) => SPECIFIER.test(line)))
        .map(({ key }) => `${file}: ${key}`)
    );
    expect(mixed).to.deep.equal([]);
  });
});
