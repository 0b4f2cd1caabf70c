package main

import (
	"encoding/json"
	"net/http"

	"example.com/halyard/internal/config"
	"example.com/halyard/internal/ledger"
	"example.com/halyard/internal/rates"
	"example.com/halyard/internal/scanq"
)

// mountInternal adds the endpoints the edge Workers call: queue batches from
// the scan queue and rate lookups for checkout.
func mountInternal(mux *http.ServeMux, cfg *config.Config, db ledger.DB, carriers map[string]rates.Carrier) {
	consumer := scanq.NewConsumer(nil, cfg.AccountID, cfg.NamespaceID, db)
	mux.HandleFunc("POST /internal/scan-batch", func(w http.ResponseWriter, r *http.Request) {
		var bodies []json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&bodies); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		raw := make([][]byte, len(bodies))
		for i, b := range bodies {
			raw[i] = b
		}
		res, err := consumer.HandleBatch(r.Context(), raw)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusMultiStatus)
		}
		_ = json.NewEncoder(w).Encode(res)
	})

	quotes := rates.NewCache(nil, cfg.AccountID, cfg.NamespaceID, carriers)
	mux.HandleFunc("POST /internal/quote", func(w http.ResponseWriter, r *http.Request) {
		var req rates.Request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		q, err := quotes.Lookup(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(q)
	})
}
