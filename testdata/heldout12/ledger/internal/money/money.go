// Package money represents amounts as integer cents.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cents is an amount in the shop's currency, in minor units.
type Cents int64

// ErrInvalid is returned by Parse for malformed input.
var ErrInvalid = errors.New("money: invalid amount")

// Parse reads "12", "12.3" or "12.34".
func Parse(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrInvalid
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, ErrInvalid
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrInvalid
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, ErrInvalid
	}
	c := Cents(w*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// String formats c as "12.34".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Points converts a purchase amount into loyalty points at perDollar.
func (c Cents) Points(perDollar int) int64 {
	if c <= 0 {
		return 0
	}
	return int64(c) * int64(perDollar) / 100
}
