//go:build js && wasm

package entry

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/keys"
	"grosbeak/internal/museum"
)

type scanResult struct {
	Code   string `json:"code"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
	Access string `json:"access,omitempty"`
}

// Scan admits a visitor at a gate. The gate posts the code it read.
func (s *Service) Scan(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	gate := r.URL.Query().Get("gate")
	ns := s.Codes.Namespace()

	key := keys.QRRevokedPrefix + code
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw != "<null>" {
		writeScan(w, scanResult{Code: code, Reason: "revoked"})
		return
	}

	key = keys.QRPrefix + code
	raw, err = ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		writeScan(w, scanResult{Code: code, Reason: "unknown code"})
		return
	}
	var ec museum.EntryCode
	if err := json.Unmarshal([]byte(raw), &ec); err != nil {
		http.Error(w, "corrupt code", http.StatusInternalServerError)
		return
	}
	if gate == "lounge" && !ec.Access.Has(museum.AccessMemberLounge) {
		writeScan(w, scanResult{Code: code, Reason: "no lounge access", Access: ec.Access.String()})
		return
	}

	// Single use: the code is spent once the turnstile opens.
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeScan(w, scanResult{Code: code, OK: true, Access: ec.Access.String()})
}

// Revoke cancels codes listed one per line in the request body, for
// example when a booking is refunded at the desk.
func (s *Service) Revoke(w http.ResponseWriter, r *http.Request) {
	ns := s.Codes.Namespace()
	sc := bufio.NewScanner(r.Body)
	var revoked, skipped int
	opts := &kv.PutOptions{ExpirationTTL: keys.QRRevokedTTL}
scan:
	for sc.Scan() {
		code := strings.TrimSpace(sc.Text())
		if code == "" || strings.HasPrefix(code, "#") {
			continue scan
		}
		attempts := 0
	retry:
		attempts++
		err := ns.PutString(keys.QRRevokedPrefix+code, time.Now().UTC().Format(time.RFC3339), opts) // EXPECT kvsession
		if err != nil {
			if attempts < 3 {
				time.Sleep(time.Duration(attempts) * 200 * time.Millisecond)
				goto retry
			}
			log.Printf("revoke %s: %v", code, err)
			skipped++
			continue scan
		}
		revoked++
	}
	if err := sc.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, `{"revoked":%d,"skipped":%d}`, revoked, skipped)
}

// Lookup shows the desk what a code grants without spending it.
func (s *Service) Lookup(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	var ec museum.EntryCode
	err := s.Codes.JSON(keys.QRPrefix+code, &ec)
	var nf *museum.NotFoundError
	switch {
	case errors.As(err, &nf):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeScan(w, scanResult{Code: code, OK: true, Access: ec.Access.String()})
}

func writeScan(w http.ResponseWriter, res scanResult) {
	w.Header().Set("Content-Type", "application/json")
	if !res.OK {
		w.WriteHeader(http.StatusForbidden)
	}
	_ = json.NewEncoder(w).Encode(res)
}
