#!/bin/sh
# Makes the sample shop's product pictures: studio-style illustrations drawn as SVG here,
# rendered by rsvg-convert and saved as JPEG by ffmpeg, plus the mug's short clip. Gallery
# photos (750 px) go to the product subpackage, card thumbnails (300 px) and the offer
# banners to the main package. Needs Debian's `librsvg2-bin`, `ffmpeg` and `fonts-dejavu-core`.
set -eu
cd "$(dirname "$0")/../../examples/shop"
mkdir -p images/thumbs images/banners packageProduct/images packageProduct/media
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# save NAME WIDTH HEIGHT OUT...: SVG on stdin to a JPEG at each OUT (WIDTHxHEIGHT, the first
# at full size, the others scaled to 300 px wide).
save() {
  name=$1; width=$2; height=$3; shift 3
  cat > "$work/$name.svg"
  rsvg-convert -w "$width" -h "$height" "$work/$name.svg" -o "$work/$name.png"
  first=$1; shift
  ffmpeg -loglevel error -y -i "$work/$name.png" -q:v 4 "$first"
  for out in "$@"; do
    ffmpeg -loglevel error -y -i "$work/$name.png" -vf scale=300:-1 -q:v 4 "$out"
  done
}

# backdrop TOP BOTTOM: a studio backdrop with a soft floor.
backdrop() {
  cat <<EOF
<defs>
  <linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="$1"/><stop offset="1" stop-color="$2"/></linearGradient>
  <radialGradient id="shadow"><stop offset="0" stop-color="#000" stop-opacity=".28"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>
  <linearGradient id="shine" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset=".5" stop-color="#fff" stop-opacity=".45"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></linearGradient>
</defs>
<rect width="750" height="750" fill="url(#wall)"/>
<rect y="520" width="750" height="230" fill="#000" opacity=".05"/>
EOF
}

# mug COLOUR RIM: a glazed mug with steam.
mug() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#fbf4ec' '#ead9c6')
<ellipse cx="375" cy="585" rx="210" ry="34" fill="url(#shadow)"/>
<path d="M500 330 q120 0 120 95 q0 95 -120 95" fill="none" stroke="$1" stroke-width="34"/>
<path d="M500 330 q120 0 120 95 q0 95 -120 95" fill="none" stroke="#000" stroke-opacity=".12" stroke-width="34"/>
<path d="M220 260 h290 v285 q0 45 -45 45 h-200 q-45 0 -45 -45 z" fill="$1"/>
<path d="M220 260 h290 v285 q0 45 -45 45 h-200 q-45 0 -45 -45 z" fill="#000" fill-opacity=".06"/>
<rect x="265" y="275" width="52" height="290" rx="24" fill="url(#shine)"/>
<ellipse cx="365" cy="260" rx="145" ry="26" fill="$2"/>
<ellipse cx="365" cy="264" rx="130" ry="19" fill="#5b3a24"/>
<path d="M320 220 q-22 -40 0 -80 q22 -40 0 -80 M370 215 q-22 -40 0 -80 q22 -40 0 -80 M420 220 q-22 -40 0 -80 q22 -40 0 -80" fill="none" stroke="#fff" stroke-opacity=".8" stroke-width="10" stroke-linecap="round"/>
</svg>
EOF
}

# tote BODY HANDLE: a linen tote bag.
tote() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#f3f1ec' '#dedad0')
<ellipse cx="375" cy="640" rx="240" ry="30" fill="url(#shadow)"/>
<path d="M285 300 v-70 q0 -95 90 -95 q90 0 90 95 v70" fill="none" stroke="$2" stroke-width="26"/>
<path d="M170 290 h410 l25 340 h-460 z" fill="$1"/>
<path d="M170 290 h410 l25 340 h-460 z" fill="none" stroke="#000" stroke-opacity=".15" stroke-width="4" stroke-dasharray="10 8"/>
<rect x="300" y="400" width="150" height="120" rx="8" fill="#000" fill-opacity=".08"/>
<path d="M300 412 h150" stroke="#fff" stroke-opacity=".5" stroke-width="3" stroke-dasharray="8 6"/>
<rect x="250" y="290" width="40" height="340" fill="url(#shine)" opacity=".5"/>
</svg>
EOF
}

# tin: a green tea tin with its label.
tin() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#f1f6ec' '#d6e6cc')
<ellipse cx="375" cy="615" rx="200" ry="30" fill="url(#shadow)"/>
<rect x="220" y="200" width="310" height="400" rx="14" fill="#2f6b3a"/>
<ellipse cx="375" cy="200" rx="155" ry="30" fill="#3f8a4c"/>
<rect x="220" y="330" width="310" height="160" fill="#f6efd9"/>
<text x="375" y="405" font-family="DejaVu Serif" font-size="46" text-anchor="middle" fill="#2f6b3a">Green Tea</text>
<text x="375" y="455" font-family="DejaVu Sans" font-size="24" text-anchor="middle" fill="#6b7d5a">HANGZHOU · 100 g</text>
<rect x="250" y="210" width="44" height="385" fill="url(#shine)"/>
<path d="M560 590 q40 -80 120 -90 q-30 80 -120 90 z M600 600 q60 -40 110 -20 q-50 50 -110 20 z" fill="#5d9a4a"/>
</svg>
EOF
}

# giftbox: the tea's gift box with a ribbon.
giftbox() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#f1f6ec' '#d6e6cc')
<ellipse cx="375" cy="620" rx="260" ry="32" fill="url(#shadow)"/>
<rect x="140" y="330" width="470" height="270" rx="10" fill="#a8322d"/>
<rect x="120" y="280" width="510" height="80" rx="10" fill="#c0413a"/>
<rect x="345" y="280" width="60" height="320" fill="#e9c46a"/>
<path d="M375 280 q-120 -110 -150 -40 q-10 40 150 40 q160 0 150 -40 q-30 -70 -150 40 z" fill="#e9c46a"/>
<rect x="160" y="360" width="40" height="240" fill="url(#shine)"/>
</svg>
EOF
}

# notebook COVER: an A5 notebook, closed, with its elastic band.
notebook() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#f4f2f8' '#dcd8e6')
<ellipse cx="385" cy="640" rx="230" ry="26" fill="url(#shadow)"/>
<rect x="215" y="130" width="330" height="490" rx="16" fill="#f7f5ef"/>
<rect x="200" y="120" width="330" height="490" rx="16" fill="$1"/>
<rect x="470" y="120" width="18" height="490" fill="#2b2b2b" opacity=".75"/>
<rect x="250" y="200" width="170" height="60" rx="6" fill="#fff" opacity=".85"/>
<text x="335" y="240" font-family="DejaVu Sans" font-size="26" text-anchor="middle" fill="#555">A5</text>
<rect x="200" y="120" width="36" height="490" fill="url(#shine)"/>
</svg>
EOF
}

# pages: the notebook open on its dotted pages.
pages() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 750">
$(backdrop '#f4f2f8' '#dcd8e6')
<defs><pattern id="dots" width="26" height="26" patternUnits="userSpaceOnUse"><circle cx="13" cy="13" r="2.2" fill="#b9b4c6"/></pattern></defs>
<ellipse cx="375" cy="600" rx="330" ry="28" fill="url(#shadow)"/>
<path d="M60 200 q160 -30 315 10 v380 q-155 -40 -315 -10 z" fill="#fbfaf6"/>
<path d="M690 200 q-160 -30 -315 10 v380 q155 -40 315 -10 z" fill="#f6f4ee"/>
<path d="M80 220 q150 -25 280 8 v350 q-130 -33 -280 -8 z M670 220 q-150 -25 -280 8 v350 q130 -33 280 -8 z" fill="url(#dots)"/>
<path d="M375 210 v380" stroke="#d6d1c4" stroke-width="4"/>
<rect x="555" y="470" width="170" height="16" rx="8" transform="rotate(-30 640 478)" fill="#e9a23b"/>
</svg>
EOF
}

# banner ART: an offer's banner (750×300), the art on its right, room for the words on its left.
banner() {
  cat <<EOF
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 750 300">
<defs><linearGradient id="band" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="$1"/><stop offset="1" stop-color="$2"/></linearGradient></defs>
<rect width="750" height="300" fill="url(#band)"/>
$3
</svg>
EOF
}

mug '#f7f5f0' '#ffffff' | save p1-1 750 750 packageProduct/images/p1-1.jpg images/thumbs/p1.jpg
mug '#8ec5e8' '#b5dbf3' | save p1-2 750 750 packageProduct/images/p1-2.jpg
mug '#a9c4a0' '#c4dabc' | save p1-3 750 750 packageProduct/images/p1-3.jpg
tote '#e6dccb' '#c9b99c' | save p2-1 750 750 packageProduct/images/p2-1.jpg images/thumbs/p2.jpg
tote '#4a4a4a' '#2e2e2e' | save p2-2 750 750 packageProduct/images/p2-2.jpg
tin | save p3-1 750 750 packageProduct/images/p3-1.jpg images/thumbs/p3.jpg
giftbox | save p3-2 750 750 packageProduct/images/p3-2.jpg
notebook '#6c5b9e' | save p4-1 750 750 packageProduct/images/p4-1.jpg images/thumbs/p4.jpg
pages | save p4-2 750 750 packageProduct/images/p4-2.jpg

banner '#f4d8c4' '#e8b79a' '<g transform="translate(430 20) scale(.34)"><path d="M220 260 h290 v285 q0 45 -45 45 h-200 q-45 0 -45 -45 z" fill="#fff"/><ellipse cx="365" cy="260" rx="145" ry="26" fill="#f4ede6"/><path d="M500 330 q120 0 120 95 q0 95 -120 95" fill="none" stroke="#fff" stroke-width="34"/></g><g transform="translate(560 70) scale(.3)"><path d="M220 260 h290 v285 q0 45 -45 45 h-200 q-45 0 -45 -45 z" fill="#8ec5e8"/><ellipse cx="365" cy="260" rx="145" ry="26" fill="#b5dbf3"/></g>' \
  | save b1 750 300 images/banners/b1.jpg
banner '#d7ead0' '#a9cf98' '<g transform="translate(470 30) scale(.34)"><rect x="220" y="200" width="310" height="400" rx="14" fill="#2f6b3a"/><ellipse cx="375" cy="200" rx="155" ry="30" fill="#3f8a4c"/><rect x="220" y="330" width="310" height="160" fill="#f6efd9"/></g><path d="M600 250 q40 -80 120 -90 q-30 80 -120 90 z" fill="#4f8a3c"/>' \
  | save b2 750 300 images/banners/b2.jpg
banner '#e8e1f5' '#c8bde6' '<g transform="translate(470 40) rotate(-8) scale(.4)"><rect x="200" y="120" width="330" height="490" rx="16" fill="#6c5b9e"/><rect x="470" y="120" width="18" height="490" fill="#2b2b2b" opacity=".75"/></g><rect x="600" y="230" width="130" height="14" rx="7" transform="rotate(-20 660 237)" fill="#e9a23b"/>' \
  | save b3 750 300 images/banners/b3.jpg

# The mug's clip: a slow push-in on the sky-blue mug, 4 s.
ffmpeg -loglevel error -y -loop 1 -i "$work/p1-2.png" -t 4 \
  -vf "scale=750:750,zoompan=z='min(zoom+0.002,1.2)':d=96:s=360x360:fps=24,format=yuv420p" \
  -c:v libx264 -preset veryslow -crf 34 -an -movflags +faststart packageProduct/media/mug.mp4
ls -l images/thumbs images/banners packageProduct/images packageProduct/media
