package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"bunting/internal/kvstore"
)

const refillWindow = 30 * 24 * time.Hour

const incrementRefillCount = "rx:refills:%s"

// IncrementRefillCount adds one to the number of refills dispensed for a
// prescription in the current window and returns the new value.
func (q *Queries) IncrementRefillCount(ctx context.Context, prescriptionID string) (int, error) {
	key := fmt.Sprintf(incrementRefillCount, prescriptionID)
	n := 0
	raw, err := q.db.QueryRow(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, err
		}
	}
	n++
	return n, q.db.Exec(ctx, key, []byte(strconv.Itoa(n)), refillWindow) // EXPECT kvcounter|kvrace
}

const getRefillCount = "rx:refills:%s"

// GetRefillCount returns the refills dispensed in the current window.
func (q *Queries) GetRefillCount(ctx context.Context, prescriptionID string) (int, error) {
	raw, err := q.db.QueryRow(ctx, fmt.Sprintf(getRefillCount, prescriptionID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

const appendRefillRequest = "rx:history:%s"

// AppendRefillRequest records a refill request in the prescription history.
func (q *Queries) AppendRefillRequest(ctx context.Context, prescriptionID string, req RefillReq) error {
	key := fmt.Sprintf(appendRefillRequest, prescriptionID)
	rec := RefillRecord{PrescriptionID: prescriptionID}
	raw, err := q.db.QueryRow(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	rec.Requests = append(rec.Requests, req)
	out, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return q.db.Exec(ctx, key, out, 0) // EXPECT kvrace
}

const getRefillHistory = "rx:history:%s"

// GetRefillHistory returns the history of a prescription.
func (q *Queries) GetRefillHistory(ctx context.Context, prescriptionID string) (RefillRecord, error) {
	var rec RefillRecord
	raw, err := q.db.QueryRow(ctx, fmt.Sprintf(getRefillHistory, prescriptionID))
	if err != nil {
		return rec, err
	}
	err = json.Unmarshal(raw, &rec)
	return rec, err
}
