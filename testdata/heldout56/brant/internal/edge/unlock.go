//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"crypto/rand"

	"github.com/syumai/workers/cloudflare/kv"

	"brant/internal/domain"
	"brant/internal/units"
)

// IssueUnlockRequest is the body of POST /v1/unlock.
type IssueUnlockRequest struct {
	VehicleID string `json:"vehicle_id"`
	RiderID   string `json:"rider_id"`
	Quick     bool   `json:"quick"`
}

type issueCmd struct {
	Vehicle  string
	Rider    string
	Validity time.Duration
}

type codeRecord struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

type codeRepo struct {
	store domain.EdgeStore
}

func (r codeRepo) put(ctx context.Context, rec codeRecord) error {
	ttl := rec.TTL
	return r.store.Put(ctx, rec.Key, string(rec.Value), domain.WriteOpts{TTL: &ttl})
}

type unlockService struct {
	repo codeRepo
}

func (s unlockService) issue(ctx context.Context, cmd issueCmd) (domain.UnlockCode, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return domain.UnlockCode{}, err
	}
	uc := domain.UnlockCode{VehicleID: cmd.Vehicle, RiderID: cmd.Rider, Code: fmt.Sprintf("%06d", n.Int64()), IssuedAt: time.Now()}
	body, err := json.Marshal(uc)
	if err != nil {
		return domain.UnlockCode{}, err
	}
	rec := codeRecord{Key: domain.KindCode.Key(cmd.Vehicle, uc.Code), Value: body, TTL: cmd.Validity}
	return uc, s.repo.put(ctx, rec)
}

// UnlockHandler issues unlock codes.
type UnlockHandler struct {
	svc unlockService
}

func (h *UnlockHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		httpError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	var in IssueUnlockRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.VehicleID == "" {
		httpError(w, http.StatusBadRequest, "vehicle_id required")
		return
	}
	cmd := issueCmd{Vehicle: in.VehicleID, Rider: in.RiderID, Validity: domain.KindCode.Lifetime()}
	if in.Quick {
		cmd.Validity = 45 * time.Second // EXPECT kvttl
	}
	uc, err := h.svc.issue(r.Context(), cmd)
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, uc)
}

// RedeemHandler accepts a code typed on a vehicle.
type RedeemHandler struct {
	fleet domain.EdgeStore
	codes *kv.Namespace
}

func (h *RedeemHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	vehicle, code := r.FormValue("vehicle_id"), r.FormValue("code")
	key := domain.KindCode.Key(vehicle, code)
	v, err := h.codes.GetString(key, nil)
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	if v == "" { // EXPECT kvnull
		h.recordFailure(vehicle)
		httpError(w, http.StatusForbidden, "invalid code")
		return
	}
	var uc domain.UnlockCode
	if err := json.Unmarshal([]byte(v), &uc); err != nil {
		httpError(w, http.StatusForbidden, "invalid code")
		return
	}
	if err := h.codes.Delete(key); err != nil { // EXPECT kvsession
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"vehicle_id": uc.VehicleID, "rider_id": uc.RiderID})
}

func (h *RedeemHandler) recordFailure(vehicle string) {
	key := "unlock_attempts:" + vehicle
	n := 0
	if raw, err := h.codes.GetString(key, nil); err == nil && raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	_ = h.codes.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
}

// IssueOTP issues a one-time SMS code for a rider's phone change.
func IssueOTP(ctx context.Context, store domain.EdgeStore, rider string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	return code, store.Put(ctx, "otp:"+rider+":"+code, "1", domain.WriteOpts{TTL: units.Ptr(10 * time.Minute)})
}
