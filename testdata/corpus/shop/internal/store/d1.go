// Package store opens the D1 database that is the shop's source of truth.
package store

import (
	"database/sql"

	"github.com/syumai/workers/cloudflare/d1"

	"example.com/shop/config"
)

func Open() (*sql.DB, error) {
	c, err := d1.OpenConnector(config.DB)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

type Product struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	PriceCts int    `json:"price_cents"`
	Category string `json:"category"`
}
