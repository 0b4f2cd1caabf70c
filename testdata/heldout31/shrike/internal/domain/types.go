// Package domain holds the bike-share network's shared record types and their
// wire encodings.
package domain

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

type Money int64

func (m Money) String() string { return fmt.Sprintf("%d.%02d", m/100, m%100) }

type Timestamp struct{ time.Time }

func At(t time.Time) Timestamp { return Timestamp{t.UTC().Truncate(time.Second)} }

func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Timestamp{}
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp: %s", b)
	}
	t.Time = time.Unix(n, 0).UTC()
	return nil
}

type PassKind uint8

const (
	PassSingle PassKind = iota + 1
	PassDay
	PassMonth
	PassAnnual
)

var passNames = []string{"", "single", "day", "month", "annual"}

func (k PassKind) String() string {
	if int(k) < len(passNames) && k > 0 {
		return passNames[k]
	}
	return "unknown"
}

func (k PassKind) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

func (k *PassKind) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for i, name := range passNames {
		if i > 0 && name == s {
			*k = PassKind(i)
			return nil
		}
	}
	return fmt.Errorf("pass kind %q", s)
}

func (k PassKind) Validity() time.Duration {
	switch k {
	case PassSingle:
		return 45 * time.Minute
	case PassDay:
		return 24 * time.Hour
	case PassMonth:
		return 30 * 24 * time.Hour
	case PassAnnual:
		return 365 * 24 * time.Hour
	}
	return 0
}
