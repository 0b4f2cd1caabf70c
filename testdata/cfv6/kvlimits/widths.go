package kvlimits

import (
	"context"
	"fmt"
	"strings"
)

// Keys made too long by construction: a padding width, a repeated
// filler, each in a key helper (reported there, once for its callers) or
// in a variable of the caller.

func ledgerKey(cust string, seq int64) string {
	return fmt.Sprintf("ledger/%s/%0520d", cust, seq) // want `this key is at least 528 bytes long`
}

func signatureKey(job string) string {
	return strings.Join([]string{"sig", strings.Repeat("0", 512), job}, "/") // want `this key is at least 517 bytes long`
}

const scorePad = 520

func (c *client) record(ctx context.Context, cust string, seq int64, job string) error {
	if err := c.write(ctx, ledgerKey(cust, seq), "1"); err != nil {
		return err
	}
	if err := c.write(ctx, signatureKey(job), "sig"); err != nil {
		return err
	}
	rank := fmt.Sprintf("lb/%s/%0*d", cust, scorePad, seq) // want `this key is at least 524 bytes long`
	return c.write(ctx, rank, "1")
}

const banksRoot = "/"

func pointerKey() string { return strings.Trim(banksRoot, "/") }

func (c *client) publishPointer(ctx context.Context, v string) error {
	return c.write(ctx, pointerKey(), v) // want `KV refuses the key ""`
}

// Quiet: widths that fit.
func (c *client) recordShort(ctx context.Context, cust string, seq int64) error {
	rank := fmt.Sprintf("lb/%s/%0*d", cust, 20, seq)
	if err := c.write(ctx, rank, "1"); err != nil {
		return err
	}
	return c.write(ctx, strings.Join([]string{"sig", strings.Repeat("0", 64), cust}, "/"), "1")
}
