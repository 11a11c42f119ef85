package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
)

// portrait draws the admission photo of a demo person: head and
// shoulders against the registration room's wall, in the clothing they
// came in. The demo holds no one's real face; a drawing stands in for
// the photo a station takes at admission.
func portrait(clothing color.RGBA, grey, long bool) []byte {
	const w, h = 300, 400
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	wall := color.RGBA{0xdf, 0xe6, 0xea, 0xff}
	skin := color.RGBA{0xe0, 0xb0, 0x8a, 0xff}
	hair := color.RGBA{0x2a, 0x24, 0x20, 0xff}
	if grey {
		hair = color.RGBA{0x9a, 0x97, 0x94, 0xff}
	}
	ink := color.RGBA{0x3b, 0x2f, 0x2a, 0xff}
	for y := range h {
		for x := range w {
			c := wall
			face := inEllipse(x, y, 150, 160, 62, 80)
			// Long hair falls at the sides of the face, not under the chin.
			longHair := long && !face && inEllipse(x, y, 150, 190, 80, 105) && (y < 170 || x < 108 || x > 192)
			switch {
			case inEllipse(x, y, 150, 400, 150, 130): // shoulders
				c = clothing
				if longHair {
					c = hair
				}
			case longHair:
				c = hair
			case x >= 130 && x <= 170 && y >= 225 && y <= 290: // neck
				c = skin
			case face && y < 125 && inEllipse(x, y, 150, 145, 66, 78): // hair over the head's top
				c = hair
			case face:
				c = skin
				if inEllipse(x, y, 127, 155, 7, 4) || inEllipse(x, y, 173, 155, 7, 4) || (y >= 201 && y <= 203 && x >= 135 && x <= 165) {
					c = ink
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return b.Bytes()
}

func inEllipse(x, y, cx, cy, rx, ry int) bool {
	dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
	return dx*dx+dy*dy <= 1
}
