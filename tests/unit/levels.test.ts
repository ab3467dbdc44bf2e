import { describe, expect, it } from 'vitest';
import { levelFor } from '../../src/domain/labels/levels.js';

/** Barong 1.8.0's seeds (reference §3.4), where the examples of spec/models/label_spec.rb apply. */
const BARONG_LEVELS = [
  { id: 1, key: 'email', value: 'verified' },
  { id: 2, key: 'phone', value: 'verified' },
  { id: 3, key: 'identity', value: 'verified' },
  { id: 4, key: 'document', value: 'verified' },
];
/** Our seeds (DESIGN §3): identity dropped, so a verified document gives level 3. */
const OUR_LEVELS = [
  { id: 1, key: 'email', value: 'verified' },
  { id: 2, key: 'phone', value: 'verified' },
  { id: 3, key: 'document', value: 'verified' },
];

const priv = (key: string, value = 'verified') => ({ key, value, scope: 'private' });
const pub = (key: string, value = 'verified') => ({ key, value, scope: 'public' });

describe('levelFor', () => {
  it('is 0 without labels', () => {
    expect(levelFor(BARONG_LEVELS, [])).toBe(0);
  });

  it('raises the level one verified label at a time: email 1, phone 2, identity 3, document 4', () => {
    const labels = [priv('email')];
    expect(levelFor(BARONG_LEVELS, labels)).toBe(1);
    labels.push(priv('phone'));
    expect(levelFor(BARONG_LEVELS, labels)).toBe(2);
    labels.push(priv('identity'));
    expect(levelFor(BARONG_LEVELS, labels)).toBe(3);
    labels.push(priv('document'));
    expect(levelFor(BARONG_LEVELS, labels)).toBe(4);
  });

  it('drops to 1 when the phone label becomes rejected', () => {
    const all = [priv('email'), priv('phone'), priv('identity'), priv('document')];
    expect(levelFor(BARONG_LEVELS, all.map((l) => (l.key === 'phone' ? priv('phone', 'rejected') : l)))).toBe(1);
  });

  it('drops to 0 when the email label is changed or revoked, whatever else is verified', () => {
    const rest = [priv('phone'), priv('identity'), priv('document')];
    expect(levelFor(BARONG_LEVELS, [priv('email', 'pending'), ...rest])).toBe(0);
    expect(levelFor(BARONG_LEVELS, rest)).toBe(0);
  });

  it('stops at the first gap: a verified document without identity leaves Barong at 2', () => {
    expect(levelFor(BARONG_LEVELS, [priv('email'), priv('phone'), priv('document')])).toBe(2);
  });

  it('gives 3 for email, phone and document with our seeds (no identity level)', () => {
    expect(levelFor(OUR_LEVELS, [priv('email'), priv('phone'), priv('document')])).toBe(3);
    expect(levelFor(OUR_LEVELS, [priv('email'), priv('document')])).toBe(1);
  });

  it('ignores public labels, even with the keys and values of every level', () => {
    const publicOnly = [pub('email'), pub('phone'), pub('identity'), pub('document')];
    expect(levelFor(BARONG_LEVELS, publicOnly)).toBe(0);
    expect(levelFor(BARONG_LEVELS, [priv('email'), pub('phone')])).toBe(1);
  });

  it('ignores labels whose value is not the one a level asks for', () => {
    expect(levelFor(OUR_LEVELS, [priv('email'), priv('phone', 'pending')])).toBe(1);
  });

  it('walks the levels by id, whatever their order in the table, and the level is the id', () => {
    const shuffled = [
      { id: 20, key: 'phone', value: 'verified' },
      { id: 10, key: 'email', value: 'verified' },
      { id: 30, key: 'document', value: 'verified' },
    ];
    expect(levelFor(shuffled, [priv('email'), priv('phone')])).toBe(20);
    expect(levelFor(shuffled, [priv('phone')])).toBe(0);
  });
});
