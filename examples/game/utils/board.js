// The rules of 2048, with no mini-program APIs, so they can be tested anywhere. A board is four
// rows of four numbers; 0 is an empty cell. Nothing here changes a board it is given.

const SIZE = 4;

// mulberry32: a tiny seeded generator, so one seed always plays out the same game.
function makeRandom(seed) {
  let state = seed >>> 0;
  return function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function emptyBoard() {
  const board = [];
  for (let row = 0; row < SIZE; row += 1) {
    board.push([0, 0, 0, 0]);
  }
  return board;
}

function copy(board) {
  return board.map((row) => row.slice());
}

// A 2 (nine times in ten) or a 4 in a random empty cell.
function addTile(board, random) {
  const next = copy(board);
  const empty = [];
  next.forEach((row, r) => row.forEach((value, c) => {
    if (value === 0) {
      empty.push([r, c]);
    }
  }));
  if (empty.length === 0) {
    return next;
  }
  const [r, c] = empty[Math.floor(random() * empty.length)];
  next[r][c] = random() < 0.9 ? 2 : 4;
  return next;
}

function newBoard(random) {
  return addTile(addTile(emptyBoard(), random), random);
}

// Slides one line towards its start: equal neighbours merge once (so 2 2 2 2 makes 4 4, and
// 2 2 4 makes 4 4, not 8).
function slideLine(line) {
  const tiles = line.filter((value) => value !== 0);
  const merged = [];
  let gained = 0;
  for (let i = 0; i < tiles.length; i += 1) {
    if (tiles[i] === tiles[i + 1]) {
      merged.push(tiles[i] * 2);
      gained += tiles[i] * 2;
      i += 1;
    } else {
      merged.push(tiles[i]);
    }
  }
  while (merged.length < line.length) {
    merged.push(0);
  }
  return { line: merged, gained };
}

// The cells of line `index`, starting from the edge the tiles move towards.
function cellsOf(direction, index) {
  const cells = [];
  for (let step = 0; step < SIZE; step += 1) {
    const back = SIZE - 1 - step;
    if (direction === 'left') {
      cells.push([index, step]);
    } else if (direction === 'right') {
      cells.push([index, back]);
    } else if (direction === 'up') {
      cells.push([step, index]);
    } else {
      cells.push([back, index]);
    }
  }
  return cells;
}

// direction: 'up', 'down', 'left' or 'right'.
function move(board, direction) {
  if (!['up', 'down', 'left', 'right'].includes(direction)) {
    throw new Error(`Unknown direction: ${direction}`);
  }
  const next = copy(board);
  let gained = 0;
  let moved = false;
  for (let index = 0; index < SIZE; index += 1) {
    const cells = cellsOf(direction, index);
    const slid = slideLine(cells.map(([r, c]) => board[r][c]));
    gained += slid.gained;
    cells.forEach(([r, c], i) => {
      if (next[r][c] !== slid.line[i]) {
        moved = true;
      }
      next[r][c] = slid.line[i];
    });
  }
  return { board: next, gained, moved };
}

// Whether any move would change the board: an empty cell, or two equal neighbours.
function canMove(board) {
  for (let r = 0; r < SIZE; r += 1) {
    for (let c = 0; c < SIZE; c += 1) {
      const value = board[r][c];
      if (value === 0 || (c + 1 < SIZE && board[r][c + 1] === value) || (r + 1 < SIZE && board[r + 1][c] === value)) {
        return true;
      }
    }
  }
  return false;
}

function maxTile(board) {
  return Math.max(...board.map((row) => Math.max(...row)));
}

module.exports = { SIZE, makeRandom, emptyBoard, newBoard, addTile, slideLine, move, canMove, maxTile };
