import Ajv, { type ValidateFunction, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Diagnostic } from './diagnostic.js';

/**
 * A configured ajv instance: all errors, formats, unknown `x-` keywords tolerated (CRD schemas
 * carry `x-kubernetes-*`). `useDefaults` fills defaults in validated data.
 */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: options.useDefaults ?? false, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

export type { ValidateFunction, ErrorObject };

/**
 * Turns ajv errors for a request value into diagnostics with pointers under `base`
 * (e.g. `/input`). Used at the HTTP and CLI boundary for execution inputs.
 */
export function ajvErrorsToDiagnostics(errors: readonly ErrorObject[], base: string, code: string): Diagnostic[] {
  return errors.map((e) => {
    const field = e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath;
    const pointer = `${base}${field}`;
    const name = pointer.replace(/^\//, '').replace(/\//g, '.') || 'value';
    let message: string;
    let hint: string;
    switch (e.keyword) {
      case 'required':
        message = `${name} is required`;
        hint = `Add '${(e.params as { missingProperty: string }).missingProperty}' to the request.`;
        break;
      case 'additionalProperties':
        message = `${name} is not a known field`;
        hint = 'Remove it or check its spelling against the workflow input schema.';
        break;
      case 'type':
        message = `${name} must be ${(e.params as { type: string }).type}`;
        hint = `Send a value of type ${(e.params as { type: string }).type}.`;
        break;
      case 'enum':
        message = `${name} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
        hint = 'Use one of the allowed values.';
        break;
      default:
        message = `${name} ${e.message ?? 'is invalid'}`;
        hint = 'Check the value against the workflow input schema.';
    }
    return { code, severity: 'error' as const, message, hint, pointer };
  });
}
