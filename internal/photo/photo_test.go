package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// exifJPEG builds a JPEG with an APP1 EXIF segment holding an orientation
// and a fake GPS marker string, so tests can check both are gone.
func exifJPEG(t testing.TB, w, h, orientation int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, 0, color.RGBA{255, 0, 0, 255}) // red top row
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	// TIFF: little endian, IFD at 8 with one entry (orientation), then a
	// marker string standing in for GPS data.
	tiff := []byte("II*\x00\x08\x00\x00\x00\x01\x00")
	entry := make([]byte, 12)
	binary.LittleEndian.PutUint16(entry[0:], 0x0112)
	binary.LittleEndian.PutUint16(entry[2:], 3)
	binary.LittleEndian.PutUint32(entry[4:], 1)
	binary.LittleEndian.PutUint16(entry[8:], uint16(orientation))
	tiff = append(tiff, entry...)
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(tiff, []byte("GPSLatitude=35.3030N")...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(app1)+2))
	seg = append(seg, app1...)
	raw := j.Bytes()
	return append(append(append([]byte{}, raw[:2]...), seg...), raw[2:]...)
}

func TestCleanStripsMetadataAndOrients(t *testing.T) {
	in := exifJPEG(t, 40, 20, 6) // rotate 90° clockwise to display
	if Orientation(in) != 6 {
		t.Fatalf("orientation read as %d", Orientation(in))
	}
	out, err := Clean(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("GPSLatitude")) || bytes.Contains(out, []byte("Exif")) {
		t.Fatal("metadata survived")
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("not rotated: %v", b)
	}
	// The red top row is now the right-hand column.
	r, _, _, _ := img.At(19, 20).RGBA()
	if r>>8 < 150 {
		t.Errorf("right column not red after rotation: %d", r>>8)
	}
}

func TestCleanScalesAndAcceptsPNG(t *testing.T) {
	var p bytes.Buffer
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 3000, 1000)))
	out, err := Clean(context.Background(), p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, _ := image.DecodeConfig(bytes.NewReader(out))
	if format != "jpeg" || cfg.Width != MaxSide || cfg.Height != 682 {
		t.Fatalf("scaled to %s %dx%d", format, cfg.Width, cfg.Height)
	}
}

func TestCleanRefuses(t *testing.T) {
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	bomb := func() []byte {
		var b bytes.Buffer
		png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
		raw := b.Bytes()
		binary.BigEndian.PutUint32(raw[16:], 100000) // IHDR width
		binary.BigEndian.PutUint32(raw[20:], 100000) // IHDR height
		binary.BigEndian.PutUint32(raw[29:], crc32.ChecksumIEEE(raw[12:29]))
		return raw
	}()
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"empty":     {nil, ErrEmpty},
		"text":      {[]byte("hello, this is not a photo"), ErrNotImage},
		"heic":      {heic, ErrHEIC},
		"gif":       {[]byte("GIF89a\x01\x00\x01\x00"), ErrUnsupported},
		"truncated": {[]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16}, ErrNotImage},
		"bomb":      {bomb, ErrDimensions},
		"too large": {make([]byte, MaxBytes+1), ErrTooLarge},
	} {
		if _, err := Clean(context.Background(), tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func FuzzClean(f *testing.F) {
	f.Add(exifJPEG(f, 8, 4, 3))
	var p bytes.Buffer
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 4, 4)))
	f.Add(p.Bytes())
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	for _, b := range bombs(f) { // decompression bombs, cut-off files
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Clean(context.Background(), b)
		if err != nil {
			return
		}
		if Kind(out) != "jpeg" || bytes.Contains(out, []byte("Exif")) {
			t.Fatal("output is not a clean JPEG")
		}
	})
}

func FuzzOrientation(f *testing.F) {
	f.Add(exifJPEG(f, 2, 2, 8))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := Orientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
