package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

// Admin is mounted under /admin behind Cloudflare Access.
type Admin struct{}

func shopNS(w http.ResponseWriter) *kv.Namespace {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return nil
	}
	return ns
}

// SetFlag toggles one feature flag: PUT /admin/flags/{name}?on=true
func (Admin) SetFlag(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	on, err := strconv.ParseBool(r.URL.Query().Get("on"))
	if err != nil {
		http.Error(w, "on must be a boolean", http.StatusBadRequest)
		return
	}
	flags := map[string]bool{}
	raw, err := ns.GetString("flags", nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &flags); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	flags[r.PathValue("name")] = on
	b, _ := json.Marshal(flags)
	if err := ns.PutString("flags", string(b), nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeRaw(w, string(b))
}

func appendEntry(log, entry string) string {
	entry = strings.TrimSpace(entry)
	return fmt.Sprintf("%s%s  %s\n", log, time.Now().UTC().Format(time.DateOnly), entry)
}

// Changelog appends a line to the public "what's new" page.
func (Admin) Changelog(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	const key = "changelog:storefront"
	current, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if current == "<null>" {
		current = ""
	}
	if err := ns.PutString(key, appendEntry(current, string(body)), nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Banner sets the site-wide banner for ?hours=N hours.
func (Admin) Banner(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	hours, err := strconv.Atoi(r.URL.Query().Get("hours"))
	if err != nil || hours < 1 || hours > 24*14 {
		http.Error(w, "hours must be between 1 and 336", http.StatusBadRequest)
		return
	}
	text, _ := io.ReadAll(io.LimitReader(r.Body, 1<<10))
	opts := &kv.PutOptions{}
	opts.Expiration = int(time.Now().Add(time.Duration(hours) * time.Hour).Unix())
	if err := ns.PutString("banner", string(text), opts); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Countdown shows "sale starts in a moment" right before a drop goes live.
func (Admin) Countdown(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	msg := r.URL.Query().Get("msg")
	err := ns.PutString("banner:countdown", msg, &kv.PutOptions{
		Expiration: int(time.Now().Add(45 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SummerSale re-publishes the summer sale banner (season pages link to it).
func (Admin) SummerSale(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	var opts kv.PutOptions
	opts.Expiration = config.SummerSaleEnds // EXPECT kvttl
	if err := ns.PutString("banner:summer", "Summer sale: 20% off sandals", &opts); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Homepage replaces the homepage layout document and reports whether it changed.
func (Admin) Homepage(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	doc, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil || !json.Valid(doc) {
		http.Error(w, "invalid layout", http.StatusBadRequest)
		return
	}
	old, err := ns.GetString("layout:home", nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:8]) }
	if old != "<null>" && sum(old) == sum(string(doc)) {
		writeJSON(w, http.StatusOK, map[string]any{"changed": false})
		return
	}
	if err := ns.PutString("layout:home", string(doc), nil); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changed": true, "version": sum(string(doc))})
}

// TagProduct adds a SKU to a merchandising tag.
func (Admin) TagProduct(w http.ResponseWriter, r *http.Request) {
	ns := shopNS(w)
	if ns == nil {
		return
	}
	tag, sku := r.PathValue("tag"), r.PathValue("sku")
	key := "tag:" + tag
	raw, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	next, err := addToIndex(raw, sku)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	if err := ns.PutString(key, next, nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func addToIndex(raw, sku string) (string, error) {
	var skus []string
	if raw != "<null>" && raw != "" {
		if err := json.Unmarshal([]byte(raw), &skus); err != nil {
			return "", err
		}
	}
	i := sort.SearchStrings(skus, sku)
	if i < len(skus) && skus[i] == sku {
		return raw, nil
	}
	skus = append(skus, "")
	copy(skus[i+1:], skus[i:])
	skus[i] = sku
	b, err := json.Marshal(skus)
	return string(b), err
}

// Preview stores a draft layout under a throwaway id so the editor can open
// it on the real storefront.
func (Admin) Preview(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	doc, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := newID()
	if err := st.PutUntil("preview:"+id, string(doc), time.Now().Add(20*time.Second)); err != nil { // EXPECT kvttl
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": "/?preview=" + id})
}
