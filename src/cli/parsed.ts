/**
 * A command line for commander to parse, for the programs that run their common command lines
 * without it (lint-main.ts, build-main.ts): program.ts and commander are loaded then.
 */
import type { Command } from 'commander';
import type * as programModule from './program.js';

type Programs = typeof programModule;

/** Runs process.argv through a program with the commands `register` adds to it. */
export async function runParsed(register: (program: Command, programs: Programs) => void): Promise<void> {
  const programs = await import('./program.js');
  const program = programs.createProgram();
  register(program, programs);
  await programs.run(program, process.argv);
}
