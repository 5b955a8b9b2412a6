// Name keys: the spellings users type meet the catalogue's, different objects stay apart, and
// no input (fuzzed) throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designationKey, hipNumber, properNameKey, stellarDesignationKey, tychoKey } from './keys.js';

describe('name keys', () => {
  it('designations', () => {
    for (const s of ['NGC 1976', 'ngc1976', 'NGC  01976', ' ngc 1976 ']) expect(designationKey(s), s).toBe('ngc1976');
    for (const s of ['M42', 'M 42', 'messier 42', 'Messier42']) expect(designationKey(s), s).toBe('m42');
    expect(designationKey('HD\u200939801')).toBe('hd39801'); // thin space as in starnames.json
    expect(designationKey('IC 434')).not.toBe(designationKey('IC 4340'));
    expect(designationKey('NGC 224')).not.toBe(designationKey('NGC 2240'));
    expect(designationKey('Crab  Nebula')).toBe('crab nebula');
  });

  it('Bayer and Flamsteed designations', () => {
    for (const s of ['α Ori', 'alpha Ori', 'alf Ori', 'ALPHA ORI', 'α  ori']) expect(stellarDesignationKey(s), s).toBe('alf ori');
    for (const s of ['β1 Cyg', 'beta1 Cyg', 'bet1 cyg', 'β 1 Cyg']) expect(stellarDesignationKey(s), s).toBe('bet1 cyg');
    expect(stellarDesignationKey('58 Ori')).toBe('58 ori');
    expect(stellarDesignationKey('c Ori')).toBe('c ori');
    expect(stellarDesignationKey('α Ori')).not.toBe(stellarDesignationKey('β Ori'));
    for (const s of ['Betelgeuse', 'M 42', 'NGC 1976', 'Orion Nebula', '58']) expect(stellarDesignationKey(s), s).toBeUndefined();
  });

  it('proper names, TYC and HIP', () => {
    expect(properNameKey("Barnard's  Star")).toBe('barnards star');
    expect(tychoKey('TYC 4774-1066-1')).toBe('4774-1066-1');
    expect(tychoKey('0001-00008-1')).toBe('1-8-1');
    expect(tychoKey('tyc 1 - 8 - 1')).toBe('1-8-1');
    expect(tychoKey('1-8')).toBeUndefined();
    expect(hipNumber('HIP 27989')).toBe(27989);
    expect(hipNumber('hip027989')).toBe(27989);
    expect(hipNumber('HIP')).toBeUndefined();
    expect(hipNumber('HD 27989')).toBeUndefined();
  });

  it('fuzz: any text gives a string or undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: 'grapheme' }), (s) => {
        expect(typeof designationKey(s)).toBe('string');
        expect(typeof properNameKey(s)).toBe('string');
        const st = stellarDesignationKey(s);
        expect(st === undefined || /^\S+ [a-z]{3}$/.test(st)).toBe(true);
        const t = tychoKey(s);
        expect(t === undefined || /^\d+-\d+-\d$/.test(t)).toBe(true);
        const h = hipNumber(s);
        expect(h === undefined || Number.isInteger(h)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
