// The seat map: sold and held seats come from the backend; the person picks up to six and pays.
const { findShow, ROWS, SEATS_PER_ROW, MAX_SEATS } = require('../../utils/films.js');

const app = getApp();

Page({
  data: {
    film: null,
    show: null,
    rows: [],
    picked: [],
    pickedText: '',
    total: 0,
    loading: true,
    error: '',
    paying: false
  },

  taken: [],

  onLoad(query) {
    const found = findShow(query.show);
    if (!found) {
      this.setData({ loading: false, error: 'This show is not on sale.' });
      return;
    }
    this.setData({ film: found.film, show: found.show });
    tt.setNavigationBarTitle({ title: `${found.film.title} ${found.show.time}` });
    // The hall's layout shows at once; sold seats are marked when the backend answers, and it
    // checks every seat again when the order is made.
    this.showSeats([]);
    this.loadSeats();
  },

  onPullDownRefresh() {
    this.loadSeats().then(() => tt.stopPullDownRefresh());
  },

  loadSeats() {
    this.setData({ loading: true, error: '' });
    return app.call(`/api/showtimes/${this.data.show.id}/seats`)
      .then((answer) => {
        this.taken = answer.taken || [];
        this.showSeats(this.data.picked.filter((id) => !this.taken.includes(id)));
      })
      .catch((error) => this.setData({ error: `Seats cannot be loaded: ${error.message}` }))
      .then(() => this.setData({ loading: false }));
  },

  showSeats(picked) {
    const rows = ROWS.map((name) => {
      const seats = [];
      for (let number = 1; number <= SEATS_PER_ROW; number += 1) {
        const id = `${name}${number}`;
        let state = 'free';
        if (this.taken.includes(id)) {
          state = 'taken';
        } else if (picked.includes(id)) {
          state = 'selected';
        }
        seats.push({ id, number, state });
      }
      return { name, seats };
    });
    this.setData({ rows, picked, pickedText: picked.join(' '), total: picked.length * this.data.show.price });
  },

  onSeat(event) {
    const id = event.currentTarget.dataset.id;
    if (this.taken.includes(id) || this.data.paying) {
      return;
    }
    const picked = this.data.picked;
    if (picked.includes(id)) {
      this.showSeats(picked.filter((seat) => seat !== id));
    } else if (picked.length >= MAX_SEATS) {
      tt.showToast({ title: `Up to ${MAX_SEATS} seats per order`, icon: 'none' });
    } else {
      this.showSeats(picked.concat(id));
    }
  },

  // The backend prices the seats and holds them; the ticket page shows the order whether it is
  // paid now or later.
  onPay() {
    if (this.data.picked.length === 0) {
      tt.showToast({ title: 'Pick your seats first', icon: 'none' });
      return;
    }
    this.setData({ paying: true });
    let created = null;
    app.logIn()
      .then(() => app.call('/api/orders', { method: 'POST', data: { show: this.data.show.id, seats: this.data.picked } }))
      .then((order) => {
        created = order;
        return app.pay(order);
      })
      .then((order) => tt.redirectTo({ url: `/pages/ticket/ticket?no=${order.out_order_no}` }))
      .catch((error) => {
        this.setData({ paying: false });
        tt.showToast({ title: error.message, icon: 'none' });
        if (created) {
          tt.redirectTo({ url: `/pages/ticket/ticket?no=${created.out_order_no}` });
        } else {
          // Someone may have taken a seat meanwhile.
          this.loadSeats();
        }
      });
  }
});
