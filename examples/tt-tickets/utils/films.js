// Demo programme; a real app loads it with tt.request.
const films = [
  {
    id: 'f1',
    title: 'The Long Summer',
    minutes: 118,
    score: 8.7,
    showtimes: [
      { id: 's1', time: '13:30', hall: 'Hall 2', price: 45, seatsLeft: 32 },
      { id: 's2', time: '19:10', hall: 'IMAX', price: 78, seatsLeft: 4 }
    ]
  },
  {
    id: 'f2',
    title: 'Night Train',
    minutes: 96,
    score: 7.9,
    showtimes: [{ id: 's3', time: '21:40', hall: 'Hall 5', price: 39, seatsLeft: 0 }]
  },
  {
    id: 'f3',
    title: 'Paper Moons',
    minutes: 104,
    score: 9.1,
    showtimes: []
  }
];

function findFilm(id) {
  return films.find((film) => film.id === id);
}

module.exports = { films, findFilm };
