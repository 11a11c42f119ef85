// Package id makes record identifiers: UUIDv7, so they sort by creation time
// and can be merged across installations without collisions.
package id

import "github.com/google/uuid"

// New returns a new UUIDv7 string.
func New() string {
	u, err := uuid.NewV7()
	if err != nil {
		// NewV7 only fails when the system's random source fails.
		panic("id: " + err.Error())
	}
	return u.String()
}

// Valid reports whether s is a well-formed UUID.
func Valid(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
