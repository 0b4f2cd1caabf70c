// Package catalog publishes the product catalogue to the edge cache namespace
// and runs the nightly re-index.
package catalog

import (
	"context"
	"time"
)

// Product is the edge projection of a catalogue row.
type Product struct {
	SKU        string    `json:"sku"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	PriceCents int64     `json:"price_cents"`
	Currency   string    `json:"currency"`
	Category   string    `json:"category"`
	Tags       []string  `json:"tags,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Source is the system of record (Postgres behind the admin app).
type Source interface {
	AllProducts(ctx context.Context) ([]Product, error)
	Product(ctx context.Context, sku string) (Product, error)
	CategoryTree(ctx context.Context) (map[string][]string, error)
}

// manifestSchema is published next to the catalogue so edge workers can
// validate documents without a deploy.
const manifestSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://shop.example.com/schemas/product.json","title":"Product","type":"object","required":["sku","slug","title","price_cents","currency","category","updated_at"],"properties":{"sku":{"type":"string","pattern":"^[A-Z0-9-]{4,32}$","description":"Stock keeping unit, unique per variant"},"slug":{"type":"string","pattern":"^[a-z0-9-]+$","description":"URL slug used by the product page route"},"title":{"type":"string","minLength":1,"maxLength":200},"price_cents":{"type":"integer","minimum":0,"description":"Price in minor units of currency"},"currency":{"type":"string","enum":["USD","EUR","GBP","CAD","AUD","JPY"]},"category":{"type":"string","description":"Slash separated category path, e.g. apparel/men/shirts"},"tags":{"type":"array","items":{"type":"string","maxLength":40},"maxItems":25,"uniqueItems":true},"updated_at":{"type":"string","format":"date-time"},"images":{"type":"array","items":{"type":"object","required":["url"],"properties":{"url":{"type":"string","format":"uri"},"alt":{"type":"string","maxLength":140},"width":{"type":"integer"},"height":{"type":"integer"}}}},"variants":{"type":"array","items":{"type":"object","properties":{"sku":{"type":"string"},"size":{"type":"string"},"colour":{"type":"string"}}}}},"additionalProperties":false}`
