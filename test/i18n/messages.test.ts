import { expect } from '@esm-bundle/chai';
import { MESSAGES, flockLocale, msg, plural, setFlockMessages } from '../../src/i18n/messages.js';

/** The message table: plural categories follow the table's locale, and a bad locale changes nothing. */
describe('the message table', () => {
  afterEach(() => setFlockMessages(MESSAGES, 'en'));

  it('chooses plural forms by the current locale, after a switch and back', () => {
    expect(plural('status.offlineQueued', 1)).to.equal('Offline · 1 queued');
    // Arabic has `two` and `few`; English has neither.
    setFlockMessages({ 'status.offlineQueued.two': 'اثنان {count}', 'status.offlineQueued.few': 'قليل {count}' }, 'ar');
    expect(plural('status.offlineQueued', 2)).to.equal('اثنان 2');
    expect(plural('status.offlineQueued', 3)).to.equal('قليل 3');
    setFlockMessages({}, 'en');
    expect(plural('status.offlineQueued', 2)).to.equal('Offline · 2 queued');
  });

  it('refuses a malformed locale with a RangeError and keeps the table as it was', () => {
    expect(() => setFlockMessages({ 'status.offline': 'Hors ligne' }, 'not a locale!')).to.throw(RangeError);
    expect(flockLocale()).to.equal('en');
    expect(msg('status.offline')).to.equal('Offline');
  });
});
