import { describe, expect, it } from 'vitest';
import { isSecretKey, maskSecrets } from './mask.js';

describe('maskSecrets', () => {
  it('masks members whose key names a credential, at any depth and inside arrays', () => {
    const value = { user: 'ann', password: 'p', profile: { apiKey: 'k', api_key: 'k2', 'x-api-key': 'k3' }, list: [{ clientSecret: 's' }, { refreshToken: 't' }] };
    expect(maskSecrets(value)).toEqual({ user: 'ann', password: '***', profile: { apiKey: '***', api_key: '***', 'x-api-key': '***' }, list: [{ clientSecret: '***' }, { refreshToken: '***' }] });
  });

  it('masks a whole object stored under a credential key', () => {
    expect(maskSecrets({ credentials: { user: 'u', pass: 'p' }, Authorization: 'Bearer x' })).toEqual({ credentials: '***', Authorization: '***' });
  });

  it('keeps null under a credential key, so "no token" stays visible', () => {
    expect(maskSecrets({ token: null })).toEqual({ token: null });
  });

  it('masks URL userinfo and credential query parameters inside strings', () => {
    expect(maskSecrets({ note: 'GET https://u:pw@api.io/x?access_token=abc&page=2 failed' })).toEqual({ note: 'GET https://***@api.io/x?access_token=***&page=2 failed' });
  });

  it('masks bearer and basic credentials inside strings', () => {
    expect(maskSecrets(['sent Bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'Basic dXNlcjpwYXNz'])).toEqual(['sent Bearer ***', 'Basic ***']);
  });

  it('leaves ordinary values, numbers and booleans unchanged and does not modify the input', () => {
    const value = { id: 7, name: 'order', paid: true, items: [1, 'two'], author: 'ann' };
    const copy = structuredClone(value);
    expect(maskSecrets(value)).toEqual(value);
    expect(value).toEqual(copy);
  });

  it('recognises credential names in any spelling', () => {
    for (const k of ['token', 'accessToken', 'secret', 'PASSWORD', 'passwd', 'apikey', 'api-key', 'authorization', 'credential', 'privateKey', 'cookie']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['id', 'name', 'author', 'total', 'status']) expect(isSecretKey(k)).toBe(false);
  });
});
