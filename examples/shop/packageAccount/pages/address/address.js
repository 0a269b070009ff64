// The person's delivery addresses, kept by the shop's backend, and a form for a new one:
// every kind of picker, a radio group, a form that submits named values, and reset.
const app = getApp();

// Pick-up lockers by the kind of place they stand in.
const lockers = {
  'Metro station': ['Line 1, Longxiang Bridge', 'Line 2, Fengqi Road'],
  Supermarket: ['Hualian, Yan\'an Road', 'Wumart, Qingchun Road', 'Lianhua, Wensan Road'],
  Campus: ['Zhejiang University, Yuquan']
};
const places = Object.keys(lockers);
const REGION_ANY = 'Any';

Page({
  data: {
    region: [],
    regionAny: REGION_ANY,
    regionText: 'not chosen',
    lockers: [places, lockers[places[0]]],
    lockerIndex: [0, 0],
    lockerText: 'none',
    dropOffs: [
      { value: 'door', label: 'Leave at the door' },
      { value: 'concierge', label: 'Leave with the concierge' },
      { value: 'call', label: 'Call me' }
    ],
    dropOff: 'door',
    saved: false,
    types: [{ id: 'home', label: 'Home' }, { id: 'office', label: 'Office' }, { id: 'pickup', label: 'Pick-up point' }],
    typeIndex: 0,
    date: '2026-12-24',
    time: '10:00',
    days: ['Today', 'Tomorrow', 'Day after'],
    windows: ['09:00-12:00', '12:00-15:00', '15:00-18:00', '18:00-21:00'],
    slot: [0, 0],
    slotText: 'Today 09:00-12:00',
    result: 'Not saved yet.',
    addresses: []
  },

  // Saved addresses, when the person already logged in to the shop; saving logs in if needed.
  onLoad() {
    // Addresses are personal: the menu offers no Share on this page.
    wx.hideShareMenu();
    if (wx.getStorageSync('session')) {
      app.call('/api/addresses')
        .then((res) => this.setData({ addresses: res.addresses }))
        .catch(() => {});
    }
  },

  // A name without leading or doubled spaces: returning text from an input handler replaces
  // what is in the field.
  tidyName(event) {
    return event.detail.value.replace(/^\s+/, '').replace(/\s{2,}/g, ' ');
  },

  // Province, city and district; "Any" in a column leaves the rest open.
  onRegion(event) {
    const { value, code, postcode } = event.detail;
    const named = value.filter((name) => name !== REGION_ANY);
    const text = named.length ? named.join(', ') : 'anywhere';
    this.setData({
      region: value,
      regionText: postcode ? `${text} (${code[code.length - 1]}, postcode ${postcode})` : text
    });
  },

  onLockerColumn(event) {
    const { column, value } = event.detail;
    if (column === 0) {
      this.setData({ 'lockers[1]': lockers[places[value]], lockerIndex: [value, 0] });
    }
  },

  onLocker(event) {
    const [p, l] = event.detail.value;
    this.setData({ lockerIndex: [p, l], lockerText: `${places[p]}: ${lockers[places[p]][l]}` });
  },

  onDropOff(event) {
    this.setData({ dropOff: event.detail.value });
  },

  onType(event) {
    this.setData({ typeIndex: Number(event.detail.value) });
  },

  onDate(event) {
    this.setData({ date: event.detail.value });
  },

  onTime(event) {
    this.setData({ time: event.detail.value });
  },

  onSlot(event) {
    const [day, window] = event.detail.value;
    this.setData({ slot: [day, window], slotText: `${this.data.days[day]} ${this.data.windows[window]}` });
  },

  onSubmit(event) {
    const value = event.detail.value;
    if (!value.name) {
      wx.showToast({ title: 'Enter a name', icon: 'none' });
      return;
    }
    const region = (value.region || []).filter((name) => name !== REGION_ANY).join(' ');
    const detail = [(value.street || '').trim(), region].filter(Boolean).join(', ');
    const address = { name: value.name, phone: value.phone, detail };
    app.logIn()
      .then(() => app.call('/api/addresses', { method: 'POST', data: address }))
      .then((res) => this.setData({
        addresses: res.addresses,
        saved: true,
        result: `Saved: ${JSON.stringify(value)}; slot ${this.data.slotText}`
      }))
      .catch((error) => this.setData({ saved: false, result: `Not saved: ${error.message}` }));
  },

  onReset() {
    this.setData({ saved: false, result: 'Cleared.', dropOff: 'door' });
  }
});
