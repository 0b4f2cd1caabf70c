// Package keys builds the KV key names shared by the Worker and the
// back office. Every key starts with a short namespace segment so that
// list prefixes stay cheap.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
)

const (
	MenuCurrent   = "menu/current"
	MenuIndex     = "menu/index"
	MenuLastRun   = "menu/refresh/last-run"
	StockLastSync = "stock/last-sync"
	LastOrder     = "stats/last-order"
	LastRequest   = "stats/last-request"
)

// EmailHash gives a stable, non-reversible key part for an address.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Week formats an ISO week as 2025-w07.
func Week(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-w%02d", y, w)
}

// Menu is the key of one region's menu for a week.
func Menu(week, region string) string {
	return path.Join("menu", week, url.PathEscape(region))
}

// Recipe is the key of a recipe card.
func Recipe(slug string) string {
	return "recipe/" + url.PathEscape(slug)
}

// Stock is the key of a kit's stock figure in one warehouse.
func Stock(warehouse, kit string) string {
	return strings.Join([]string{"stock", warehouse, kit}, "/")
}

// Label is the key of a nutrition label blob.
func Label(kit, locale string) string {
	var b strings.Builder
	b.WriteString("label/")
	b.WriteString(url.PathEscape(kit))
	b.WriteByte('/')
	b.WriteString(strings.ToLower(locale))
	return b.String()
}

// Session is the key of a browser session.
func Session(id string) string { return "sess/" + id }

// Cart is the key of a cart attached to a session.
func Cart(sessionID string) string { return "cart/" + sessionID }

// Slot is the key of a delivery-slot hold.
func Slot(depot string, start time.Time) string {
	return path.Join("slot", depot, start.UTC().Format("20060102T1504"))
}

// Promo is the key of a promo code definition.
func Promo(code string) string { return "promo/" + strings.ToUpper(code) }

// Redemption is the key that records one customer's use of a code.
func Redemption(code, email string) string {
	return strings.Join([]string{"promo", strings.ToUpper(code), "used", EmailHash(email)}, "/")
}

// User is the key prefix of everything that belongs to one account.
func User(email string) string { return "user/" + EmailHash(email) + "/" }
