// The programme. Seats and prices that count are the backend's: it prices every order itself.
const films = [
  {
    id: 'f1',
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
    title: 'Night Train',
    minutes: 96,
    score: 7.9,
    showtimes: [{ id: 's3', time: '21:40', hall: 'Hall 5', price: 39 }]
  },
  {
    id: 'f3',
    title: 'The Long Summer',
    minutes: 118,
    score: 9.1,
    showtimes: [{ id: 's4', time: '15:00', hall: 'Hall 3', price: 42 }]
  },
  {
    id: 'f4',
    title: 'Paper Moons',
    minutes: 104,
    score: 8.2,
    showtimes: []
  }
];

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

module.exports = { films, findFilm, findShow, ROWS, SEATS_PER_ROW, MAX_SEATS };
