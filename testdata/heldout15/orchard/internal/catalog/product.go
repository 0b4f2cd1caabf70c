// Package catalog serves product data. Products come from the grower
// database (Source); Workers KV holds a read-through copy, and each process
// keeps a short-lived local copy in front of KV.
package catalog

import (
	"context"
	"errors"
	"net/http"
	"time"

	"example.com/orchard/internal/ids"
)

type Product struct {
	SKU        ids.SKU
	Name       string
	Grower     ids.GrowerID
	PriceCents int64
	Unit       string
	Category   string
	Tags       []string
	UpdatedAt  time.Time
}

// Source is the system of record for products.
type Source interface {
	Product(ctx context.Context, sku ids.SKU) (*Product, error)
	Featured(ctx context.Context) ([]ids.SKU, error)
}

// ErrNoSuchProduct is returned by Source and by Service.Get for unknown SKUs.
var ErrNoSuchProduct = &notFound{}

type notFound struct{}

func (*notFound) Error() string   { return "catalog: no such product" }
func (*notFound) StatusCode() int { return http.StatusNotFound }

// IsUnknown reports whether err means the SKU does not exist.
func IsUnknown(err error) bool { return errors.Is(err, ErrNoSuchProduct) }
