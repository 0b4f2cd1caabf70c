package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
)

const signupsPerIPPerDay = 5

type Newsletter struct{}

func subscriberKey(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return "subscriber:" + hex.EncodeToString(h[:])
}

func (Newsletter) Subscribe(w http.ResponseWriter, r *http.Request) {
	addr, err := mail.ParseAddress(r.FormValue("email"))
	if err != nil {
		http.Error(w, "invalid email", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	day := time.Now().UTC().Format("2006-01-02")
	quotaKey := "signups:" + r.Header.Get("CF-Connecting-IP") + ":" + day
	used := 0
	if v, err := ns.GetString(quotaKey, nil); err == nil && v != "<null>" {
		used, _ = strconv.Atoi(v)
	}
	if used >= signupsPerIPPerDay {
		http.Error(w, "try again tomorrow", http.StatusTooManyRequests)
		return
	}
	defer ns.PutString(quotaKey, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 24 * 60 * 60}) // EXPECT kvcounter

	rec, _ := json.Marshal(map[string]any{
		"email":      addr.Address,
		"subscribed": time.Now().Unix(),
		"source":     r.FormValue("source"),
	})
	if err := ns.PutString(subscriberKey(addr.Address), string(rec), nil); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (Newsletter) Unsubscribe(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := subscriberKey(r.FormValue("email"))
	if v, err := ns.GetString(key, nil); err != nil || v == "<null>" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := ns.Delete(key); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
