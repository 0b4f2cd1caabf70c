// Package keys builds the KV key names used across halyard. Keep every key
// format here so a grep shows the whole namespace layout.
package keys

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"
)

const sep = ":"

// Join concatenates parts with the separator.
func Join(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// Shipment identifies a shipment inside a tenant.
type Shipment struct {
	Tenant string
	ID     string
}

func (s Shipment) String() string { return Join("ship", s.Tenant, s.ID) }

// CustomerPrefix lists all shipments of one customer (IDs are prefixed by
// the customer number).
func CustomerPrefix(tenant, customer string) string {
	return Join("ship", tenant, customer) + "-"
}

// Door identifies a dock door on a given day.
type Door struct {
	Facility string
	Door     int
	Day      time.Time
}

// MarshalText implements encoding.TextMarshaler.
func (d Door) MarshalText() ([]byte, error) {
	if d.Facility == "" {
		return nil, fmt.Errorf("keys: door without facility")
	}
	return []byte(Join("door", d.Facility, fmt.Sprintf("%03d", d.Door), d.Day.UTC().Format("20060102"))), nil
}

// Slot extends a door key with a half-hour slot index.
func (d Door) Slot(slot int) (string, error) {
	base, err := d.MarshalText()
	if err != nil {
		return "", err
	}
	return string(base) + sep + fmt.Sprintf("s%02d", slot), nil
}

// Text renders any TextMarshaler key, for call sites that want a string.
func Text(k interface{ MarshalText() ([]byte, error) }) (string, error) {
	b, err := k.MarshalText()
	return string(b), err
}

// Driver keys.
type Driver string

func (d Driver) String() string           { return Join("drv", string(d)) }
func (d Driver) Session(id string) string { return Join("drv-session", string(d), id) }
func (d Driver) Refresh(id string) string { return Join("drv-refresh", id) }

// Templated keys for the notification service. Templates are parsed once.
var tmpl = template.Must(template.New("keys").Parse(`
{{define "prefs"}}notify:prefs:{{.Tenant}}:{{.Customer}}{{end}}
{{define "confirm"}}notify:confirm:{{.Token}}{{end}}
{{define "sms"}}notify:sms-quota:{{.Customer}}:{{.Day}}{{end}}
`))

// Render executes the named key template.
func Render(name string, data any) string {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		panic(fmt.Sprintf("keys: template %s: %v", name, err))
	}
	return buf.String()
}
