//go:build js && wasm

package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/session"
)

type staffRecord struct {
	PINHash string `json:"pin_hash"`
	Role    string `json:"role"`
}

func pinHash(staffID, pin string) string {
	sum := sha256.Sum256([]byte(staffID + ":" + pin))
	return hex.EncodeToString(sum[:])
}

func (s *server) login(c call) (int, any, error) {
	var body struct {
		ShopID  string `json:"shop_id"`
		StaffID string `json:"staff_id"`
		PIN     string `json:"pin"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	raw, err := s.store.Get(c.ctx(), consts.PrefixShop.Key(body.ShopID, "staff", body.StaffID))
	if err != nil {
		return 0, nil, err
	}
	var rec staffRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return 0, nil, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.PINHash), []byte(pinHash(body.StaffID, body.PIN))) != 1 {
		if err := s.staff.RecordFailedPIN(c.ctx(), body.StaffID); err != nil {
			return 0, nil, err
		}
		return 0, nil, httpError{http.StatusUnauthorized, "wrong PIN"}
	}
	return s.startSession(c, body.StaffID, body.ShopID, rec.Role)
}

func (s *server) startSession(c call, staffID, shopID, role string) (int, any, error) {
	sess, err := s.staff.Create(c.ctx(), staffID, shopID, role)
	if err != nil {
		return 0, nil, err
	}
	ref, err := s.staff.IssueRefresh(c.ctx(), sess)
	return http.StatusOK, map[string]any{"session": sess.ID, "refresh": ref.Token, "expires_at": sess.ExpiresAt}, err
}

func (s *server) logout(c call) (int, any, error) {
	id, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer ")
	if !ok || id == "" {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusNoContent, nil, s.sessKV.Delete(consts.PrefixSession.Key(id)) // EXPECT kvsession
}

func (s *server) issueOTP(c call) (int, any, error) {
	var body struct {
		StaffID string `json:"staff_id"`
	}
	if err := c.decode(&body); err != nil || body.StaffID == "" {
		return 0, nil, badRequest("staff_id required")
	}
	code, err := s.staff.IssueOTP(c.ctx(), body.StaffID)
	if err != nil {
		return 0, nil, err
	}
	// Delivery goes through the SMS provider; never log the code itself.
	s.log.Info("otp issued", "staff", body.StaffID, "len", len(code))
	return http.StatusAccepted, nil, nil
}

func (s *server) verifyOTP(c call) (int, any, error) {
	var body struct {
		ShopID  string `json:"shop_id"`
		StaffID string `json:"staff_id"`
		Code    string `json:"code"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	if err := s.staff.VerifyOTP(c.ctx(), body.StaffID, body.Code); err != nil {
		return 0, nil, err
	}
	return s.startSession(c, body.StaffID, body.ShopID, "cashier")
}

func (s *server) refresh(c call) (int, any, error) {
	var body struct {
		Refresh string `json:"refresh"`
	}
	if err := c.decode(&body); err != nil || body.Refresh == "" {
		return 0, nil, badRequest("refresh token required")
	}
	if revoked, err := s.staff.IsRevoked(c.ctx(), body.Refresh); err != nil || revoked {
		return 0, nil, errors.Join(session.ErrNoSession, err)
	}
	sess, ref, err := s.staff.Rotate(c.ctx(), body.Refresh)
	return http.StatusOK, map[string]any{"session": sess.ID, "refresh": ref.Token, "expires_at": sess.ExpiresAt}, err
}

func (s *server) revoke(c call) (int, any, error) {
	if err := s.requireAdmin(c); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.staff.Revoke(c.ctx(), c.path("token"))
}

type cartItem struct {
	SKU      string `json:"sku"`
	Qty      int    `json:"qty"`
	Price    string `json:"price"`
	CardCode string `json:"card_code,omitempty"`
}

type cart struct {
	Terminal string     `json:"terminal"`
	Items    []cartItem `json:"items"`
}

// addToCart adds a line to the terminal's open basket.
func (s *server) addToCart(c call) (int, any, error) {
	var item cartItem
	if err := c.decode(&item); err != nil || item.Qty <= 0 {
		return 0, nil, badRequest("invalid item")
	}
	key := consts.PrefixCart.Key(c.path("terminal"))
	v, err := s.sessKV.GetString(key, nil)
	if err != nil {
		return 0, nil, err
	}
	basket := cart{Terminal: c.path("terminal")}
	if v != nullText {
		if err := json.Unmarshal([]byte(v), &basket); err != nil {
			return 0, nil, err
		}
	}
	basket.Items = append(basket.Items, item)
	b, _ := json.Marshal(basket)
	err = s.sessKV.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}) // EXPECT kvsession
	return http.StatusOK, basket, err
}
