// Package keys builds storage keys, so that the layout of each namespace
// is documented in one place.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// segment strips characters that would be ambiguous inside a key.
var segment = strings.NewReplacer(":", "_", "/", "_", " ", "-", "\n", "")

func Clean(s string) string { return segment.Replace(strings.TrimSpace(s)) }

func Invoice(tenant, id string) string { return "inv:" + Clean(tenant) + ":" + Clean(id) }

// AppendInvoiceNumber appends "no:<tenant>:<year>:<seq>" to dst.
func AppendInvoiceNumber(dst []byte, tenant string, year int, seq int64) []byte {
	dst = fmt.Appendf(dst, "no:%s:%04d:", Clean(tenant), year)
	return strconv.AppendInt(dst, seq, 10)
}

// RateWindow is the key of a client's request window for the minute of at.
func RateWindow(client string, at time.Time) string {
	b := append(make([]byte, 0, 48), "rl:"...)
	b = append(append(b, Clean(client)...), ':')
	return string(strconv.AppendInt(b, at.Unix()/60, 10))
}

func FXDay(base, quote string, day time.Time) string {
	return string(fmt.Appendf(nil, "fx:%s%s:%s", strings.ToUpper(base), strings.ToUpper(quote), day.UTC().Format(time.DateOnly)))
}

// TokenHash hashes a secret so that it can be used as a key without storing the secret itself.
func TokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

var reminderTmpl = template.Must(template.New("reminder").Parse(`dun:{{.Tenant}}:{{.Invoice}}:{{.Stage}}`))

type ReminderRef struct {
	Tenant, Invoice string
	Stage           int
}

func Reminder(r ReminderRef) string {
	var b strings.Builder
	r.Tenant, r.Invoice = Clean(r.Tenant), Clean(r.Invoice)
	if err := reminderTmpl.Execute(&b, r); err != nil {
		panic(err) // the template is fixed and always renders
	}
	return b.String()
}
