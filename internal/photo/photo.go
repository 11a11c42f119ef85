// Package photo cleans photos that strangers upload: it accepts JPEG and
// PNG only, refuses decompression bombs, turns the picture upright, scales
// it down and re-encodes it as JPEG, which drops every piece of metadata
// (EXIF with GPS position, camera serials, thumbnails).
package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	_ "image/png" // registers the PNG decoder

	"golang.org/x/image/draw"
)

// Errors a caller can show to the person who uploaded.
var (
	ErrEmpty       = errors.New("photo: empty file")
	ErrTooLarge    = errors.New("photo: file too large")
	ErrHEIC        = errors.New("photo: HEIC/HEIF is not supported; send JPEG")
	ErrUnsupported = errors.New("photo: only JPEG and PNG are accepted")
	ErrNotImage    = errors.New("photo: not an image")
	ErrDimensions  = errors.New("photo: picture too large in pixels")
)

// Limits of an accepted photo.
const (
	MaxBytes  = 10 << 20 // upload size
	MaxPixels = 40e6     // decoded size guard
	MaxSide   = 2048     // stored photos are scaled to fit this
)

// Kind sniffs the format from the first bytes: "jpeg", "png", "heic",
// "other" or "".
func Kind(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif":
			return "heic"
		}
	}
	return "other"
}

// Clean validates an uploaded photo and returns it as a metadata-free,
// upright JPEG no larger than MaxSide on its long side.
func Clean(b []byte) ([]byte, error) {
	if len(b) > MaxBytes {
		return nil, ErrTooLarge
	}
	switch Kind(b) {
	case "":
		return nil, ErrEmpty
	case "heic":
		return nil, ErrHEIC
	case "jpeg", "png":
	default:
		if looksLikeImage(b) {
			return nil, ErrUnsupported
		}
		return nil, ErrNotImage
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return nil, ErrDimensions
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, ErrNotImage
	}
	if Kind(b) == "jpeg" {
		img = orient(img, Orientation(b))
	}
	img = fit(img, MaxSide)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func looksLikeImage(b []byte) bool {
	for _, sig := range [][]byte{[]byte("GIF8"), []byte("RIFF"), []byte("BM"), []byte("II*\x00"), []byte("MM\x00*")} {
		if bytes.HasPrefix(b, sig) {
			return true
		}
	}
	return false
}

// Orientation reads the EXIF orientation (1–8) of a JPEG, 1 when absent or
// unreadable.
func Orientation(b []byte) int {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data starts: no EXIF before it
			return 1
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			v := int(bo.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns img upright for an EXIF orientation.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// fit scales img down so its long side is at most max.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	nw, nh := max, h*max/w
	if h > w {
		nw, nh = w*max/h, max
	}
	dst := image.NewRGBA(image.Rect(0, 0, max1(nw), max1(nh)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
