//go:build js && wasm

// Command portaledge is the customer portal Worker: pay pages, invoice
// PDFs, passwordless sign-in and the hourly exchange-rate snapshot. It reads
// the KV projections written by the backend; invoice PDFs live in R2, and
// anything that must be counted exactly goes through the Durable Object.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pay/{tenant}/{id}", handlePayPage)
	mux.HandleFunc("POST /pay/{tenant}/{id}/redeem", handleRedeem)
	mux.HandleFunc("GET /portal/invoices", handleInvoices)
	mux.HandleFunc("GET /portal/invoices/{invoice}/pdf", handleInvoicePDF)
	mux.HandleFunc("POST /portal/receipts", handleUploadReceipt)
	mux.HandleFunc("GET /magic/{token}", handleMagicLink)
	mux.HandleFunc("POST /portal/subdomain", handleClaimSubdomain)
	mux.HandleFunc("GET /portal/branding", handleBranding)

	cron.ScheduleTaskNonBlock(runCron)
	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
