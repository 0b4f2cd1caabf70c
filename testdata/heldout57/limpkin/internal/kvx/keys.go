package kvx

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
)

// DoorKey is the status key of one locker door: "door:<site>:<n>".
func DoorKey(site string, door int) string {
	return fmt.Sprintf("door:%[1]s:%[2]d", url.PathEscape(site), door)
}

// HoldKey is the reservation hold on a door. The site repeats as a suffix so
// that holds sort per site and still carry the site when listed by door.
func HoldKey(site string, door int) string {
	return fmt.Sprintf("hold:%[1]s:%[2]d:%[1]s", url.PathEscape(site), door)
}

// SiteKey builds "<kind>:<site>".
func SiteKey(kind, site string) string {
	return fmt.Sprintf("%[2]s:%[1]s", url.PathEscape(site), kind)
}

// ParcelKey appends the numeric parcel id to prefix without allocating an
// intermediate string.
func ParcelKey(buf []byte, prefix string, parcel int64) string {
	buf = append(buf[:0], prefix...)
	buf = strconv.AppendInt(buf, parcel, 10)
	return string(buf)
}

// Opaque encodes arbitrary bytes for use inside a key.
func Opaque(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewID returns a 128-bit random identifier, URL safe.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return Opaque(b[:])
}

// Day renders the UTC day of unix seconds as yyyymmdd.
func Day(buf []byte, unix int64) []byte {
	return strconv.AppendInt(buf, unix/86400, 10)
}
