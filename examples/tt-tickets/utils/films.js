// The programme. Seats and prices that count are the backend's: it prices every order itself.
const films = [
  {
    id: 'f1',
    color: '#2f4a2a',
    title: 'The Grinch',
    minutes: 86,
    score: 8.7,
    showtimes: [
      { id: 's1', time: '13:30', hall: 'Hall 2', price: 45 },
      { id: 's2', time: '19:10', hall: 'IMAX', price: 78 }
    ]
  },
  {
    id: 'f2',
    color: '#1c2640',
    title: 'Night Train',
    minutes: 96,
    score: 7.9,
    showtimes: [{ id: 's3', time: '21:40', hall: 'Hall 5', price: 39 }]
  },
  {
    id: 'f3',
    color: '#4a3a1c',
    title: 'The Long Summer',
    minutes: 118,
    score: 9.1,
    showtimes: [{ id: 's4', time: '15:00', hall: 'Hall 3', price: 42 }]
  },
  {
    id: 'f4',
    color: '#3a1c3a',
    title: 'Paper Moons',
    minutes: 104,
    score: 8.2,
    showtimes: []
  }
];

// Films coming soon, in release order: the home page loads them a page at a time.
const upcoming = [
  ['u1', 'Harbour Lights', 'December'],
  ['u2', 'The Quiet Orchard', 'December'],
  ['u3', 'Snowline', 'December'],
  ['u4', 'Midnight Ferry', 'January'],
  ['u5', 'Glass Garden', 'January'],
  ['u6', 'The Last Lantern', 'January'],
  ['u7', 'Copper Sky', 'February'],
  ['u8', 'Low Tide', 'February'],
  ['u9', 'Northbound', 'February'],
  ['u10', 'The Paper Kite', 'March'],
  ['u11', 'Salt and Cedar', 'March'],
  ['u12', 'Evening Bells', 'March']
].map(([id, title, month]) => ({ id, title, month }));

// Every hall: rows A to F of eight seats.
const ROWS = ['A', 'B', 'C', 'D', 'E', 'F'];
const SEATS_PER_ROW = 8;
const MAX_SEATS = 6;

function findFilm(id) {
  return films.find((film) => film.id === id);
}

// The film and showtime of a show id.
function findShow(showId) {
  for (const film of films) {
    const show = film.showtimes.find((item) => item.id === showId);
    if (show) {
      return { film, show };
    }
  }
  return null;
}

module.exports = { films, upcoming, findFilm, findShow, ROWS, SEATS_PER_ROW, MAX_SEATS };
