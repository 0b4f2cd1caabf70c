// Package catalog is the storefront service that moved off the memcached
// cluster. It was written against gomemcache and now runs on karearea's
// memcache client unchanged, plus the fragment cache for rendered HTML.
package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/karearea/karearea/internal/fragcache"
	"github.com/karearea/karearea/internal/memcache"
)

// Product is a row of the products table.
type Product struct {
	ID       string  `json:"id"`
	Slug     string  `json:"slug"`
	Name     string  `json:"name"`
	PriceEUR float64 `json:"price_eur"`
	Stock    int     `json:"stock"`
}

// Service holds the storefront's dependencies.
type Service struct {
	DB     *sql.DB
	MC     *memcache.Client
	Frags  *fragcache.Cache
	Logger *log.Logger
	Loc    *time.Location
}

// productTTL is how long product JSON stays cached (memcached exptime).
const productTTL = 10 * 60

// Product returns a product, read through the cache.
func (s *Service) Product(ctx context.Context, id string) (*Product, error) {
	key := "product:" + id
	if it, err := s.MC.Get(key); err == nil {
		var p Product
		if err := json.Unmarshal(it.Value, &p); err == nil {
			return &p, nil
		}
	} else if !errors.Is(err, memcache.ErrCacheMiss) {
		s.Logger.Printf("cache get %s: %v", key, err)
	}
	p := &Product{}
	err := s.DB.QueryRowContext(ctx,
		`SELECT id, slug, name, price_eur, stock FROM products WHERE id = ?`, id,
	).Scan(&p.ID, &p.Slug, &p.Name, &p.PriceEUR, &p.Stock)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(p)
	if err := s.MC.Set(&memcache.Item{Key: key, Value: body, Expiration: productTTL}); err != nil {
		s.Logger.Printf("cache set %s: %v", key, err)
	}
	return p, nil
}

// PromoBanner returns the banner HTML. Marketing edits it often, so it is
// cached only briefly.
func (s *Service) PromoBanner(ctx context.Context) (string, error) {
	if it, err := s.MC.Get("promo:banner"); err == nil {
		return string(it.Value), nil
	}
	var html string
	if err := s.DB.QueryRowContext(ctx, `SELECT html FROM banners WHERE active = 1 LIMIT 1`).Scan(&html); err != nil {
		return "", err
	}
	s.MC.Set(&memcache.Item{Key: "promo:banner", Value: []byte(html), Expiration: 20})
	return html, nil
}

// CountView records a product page view for the "popular" shelf.
func (s *Service) CountView(id string) {
	key := "views:" + id
	n := 0
	if it, err := s.MC.Get(key); err == nil {
		n, _ = strconv.Atoi(string(it.Value))
	}
	s.MC.Set(&memcache.Item{Key: key, Value: []byte(strconv.Itoa(n + 1))}) // EXPECT kvcounter|kvrace
}

// Trending bumps the product's score in the current trending window.
func (s *Service) Trending(id string) {
	if _, err := s.MC.Increment("trending_hits:"+id, 1); errors.Is(err, memcache.ErrCacheMiss) { // DEBATABLE kvcounter
		s.MC.Add(&memcache.Item{Key: "trending_hits:" + id, Value: []byte("1"), Expiration: 3600})
	}
}

// CartLine is one line of a shopping cart.
type CartLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// AddToCart adds qty of sku to the user's cart.
func (s *Service) AddToCart(uid, sku string, qty int) ([]CartLine, error) {
	key := "cart:" + uid
	var lines []CartLine
	it, err := s.MC.Get(key)
	switch {
	case errors.Is(err, memcache.ErrCacheMiss):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(it.Value, &lines); err != nil {
			return nil, err
		}
	}
	found := false
	for i := range lines {
		if lines[i].SKU == sku {
			lines[i].Qty += qty
			found = true
		}
	}
	if !found {
		lines = append(lines, CartLine{SKU: sku, Qty: qty})
	}
	body, _ := json.Marshal(lines)
	if err := s.MC.Set(&memcache.Item{Key: key, Value: body, Expiration: 7 * 24 * 3600}); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return lines, nil
}

// Logout ends a storefront session.
func (s *Service) Logout(sid string) error {
	err := s.MC.Delete("session:" + sid) // EXPECT kvsession
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil
	}
	return err
}

func token() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// MintMagicLink creates a one-time sign-in token for email.
func (s *Service) MintMagicLink(email string) (string, error) {
	tok := token()
	err := s.MC.Set(&memcache.Item{Key: "magic:" + tok, Value: []byte(email), Expiration: 15 * 60})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// RedeemMagicLink exchanges a token for the email it was minted for. A token
// works once.
func (s *Service) RedeemMagicLink(tok string) (string, error) {
	it, err := s.MC.Get("magic:" + tok)
	if err != nil {
		return "", err
	}
	if err := s.MC.Delete("magic:" + tok); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(it.Value), nil
}

// RevokeAPIToken puts a token ID on the deny list until it would have
// expired anyway.
func (s *Service) RevokeAPIToken(jti string, expires time.Time) error {
	if time.Until(expires) <= 0 {
		return nil
	}
	return s.MC.Set(&memcache.Item{Key: "revoked:" + jti, Value: []byte("1"), Expiration: int32(expires.Unix())}) // EXPECT kvsession
}

// ErrSlugTaken is returned by ClaimSlug when another shop owns the slug.
var ErrSlugTaken = errors.New("catalog: slug already taken")

// ClaimSlug reserves a storefront slug for a shop.
func (s *Service) ClaimSlug(slug, shopID string) error {
	key := "slug:" + slug
	if _, err := s.MC.Get(key); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, memcache.ErrCacheMiss) {
		return err
	}
	return s.MC.Set(&memcache.Item{Key: key, Value: []byte(shopID)}) // EXPECT kvrace
}

// ImportProducts loads a supplier feed into the cache ahead of the sale.
func (s *Service) ImportProducts(products []Product) error {
	for i, p := range products {
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := s.MC.Set(&memcache.Item{Key: "product:" + p.ID, Value: body, Expiration: productTTL}); err != nil {
			return fmt.Errorf("import %s: %w", p.ID, err)
		}
		progress := fmt.Sprintf(`{"done":%d,"total":%d}`, i+1, len(products))
		if err := s.MC.Set(&memcache.Item{Key: "catalog:import:progress", Value: []byte(progress)}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// RecordRecentlyViewed keeps the last ten products a user looked at. It runs
// after the response has been written.
func (s *Service) RecordRecentlyViewed(uid, productID string) {
	go func() {
		key := "recent:" + uid
		var ids []string
		if it, err := s.MC.Get(key); err == nil {
			json.Unmarshal(it.Value, &ids)
		}
		out := []string{productID}
		for _, id := range ids {
			if id != productID && len(out) < 10 {
				out = append(out, id)
			}
		}
		body, _ := json.Marshal(out)
		if err := s.MC.Set(&memcache.Item{Key: key, Value: body, Expiration: 30 * 24 * 3600}); err != nil { // EXPECT kvrace
			s.Logger.Printf("recently viewed %s: %v", uid, err)
		}
	}()
}
