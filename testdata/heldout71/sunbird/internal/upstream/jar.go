package upstream

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sunbird/internal/kvstore"
)

// KVJar is an http.CookieJar shared by every instance of the service, so
// that a login to a site's upstream made by one instance is reused by the
// others. Each cookie is kept under its own key and expires with the cookie.
type KVJar struct {
	KV    *kvstore.Namespace
	Scope string
	// Default is the lifetime of session cookies (no Max-Age, no Expires).
	Default time.Duration
}

var _ http.CookieJar = (*KVJar)(nil)

type storedCookie struct {
	Name     string    `json:"n"`
	Value    string    `json:"v"`
	Path     string    `json:"p,omitempty"`
	Secure   bool      `json:"s,omitempty"`
	HttpOnly bool      `json:"h,omitempty"`
	Expires  time.Time `json:"e,omitempty"`
}

func (j *KVJar) prefix(u *url.URL) string {
	return "jar/" + j.Scope + "/" + strings.ToLower(u.Hostname()) + "/"
}

// SetCookies implements http.CookieJar.
func (j *KVJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range cookies {
		key := j.prefix(u) + url.PathEscape(c.Name)
		if c.MaxAge < 0 {
			if err := j.KV.Delete(ctx, key); err != nil {
				log.Printf("jar: delete %s: %v", key, err)
			}
			continue
		}
		sc := storedCookie{Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure, HttpOnly: c.HttpOnly}
		val, _ := json.Marshal(sc)
		switch {
		case c.MaxAge > 0:
			ttl := max(time.Duration(c.MaxAge)*time.Second, time.Minute)
			sc.Expires = time.Now().Add(ttl)
			val, _ = json.Marshal(sc)
			if err := j.KV.Put(ctx, key, val, ttl); err != nil {
				log.Printf("jar: put %s: %v", key, err)
			}
		case !c.Expires.IsZero():
			if !c.Expires.After(time.Now()) {
				_ = j.KV.Delete(ctx, key)
				continue
			}
			sc.Expires = c.Expires
			val, _ = json.Marshal(sc)
			if err := j.KV.Put(ctx, key, val, max(time.Until(c.Expires), 10*time.Second)); err != nil { // EXPECT kvttl
				log.Printf("jar: put %s: %v", key, err)
			}
		default:
			if err := j.KV.PutCache(ctx, key, val, j.Default); err != nil {
				log.Printf("jar: put %s: %v", key, err)
			}
		}
	}
}

// Cookies implements http.CookieJar.
func (j *KVJar) Cookies(u *url.URL) []*http.Cookie {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	page, err := j.KV.ListPage(ctx, j.prefix(u), "", 100) // EXPECT kvlist
	if err != nil {
		log.Printf("jar: list %s: %v", u.Host, err)
		return nil
	}
	var out []*http.Cookie
	for _, k := range page.Keys {
		raw, err := j.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var sc storedCookie
		if json.Unmarshal(raw, &sc) != nil {
			continue
		}
		if sc.Secure && u.Scheme != "https" {
			continue
		}
		if sc.Path != "" && !strings.HasPrefix(u.Path, sc.Path) {
			continue
		}
		out = append(out, &http.Cookie{Name: sc.Name, Value: sc.Value})
	}
	return out
}
