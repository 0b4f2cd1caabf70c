// Command worker is the shop's edge worker.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"kvlint.test/corpus/worker/handlers"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/{slug}", handlers.ProductPage)
	mux.HandleFunc("GET /banner", handlers.SiteBanner)
	mux.HandleFunc("GET /footer", handlers.Footer)
	mux.HandleFunc("GET /search", handlers.Search)
	mux.HandleFunc("GET /suggest", handlers.Suggest)
	mux.HandleFunc("POST /login", handlers.Login)
	mux.HandleFunc("POST /cart", handlers.AddToCart)
	mux.HandleFunc("PUT /cart", handlers.ReplaceCart)
	mux.HandleFunc("POST /admin/flags", handlers.ToggleFlag)
	mux.HandleFunc("POST /v/{slug}", handlers.TrackView)
	mux.HandleFunc("POST /v2/{slug}", handlers.ViewsFromD1)
	mux.HandleFunc("POST /otp", handlers.SendOTP)
	mux.HandleFunc("POST /magic", handlers.SendMagicLink)
	mux.HandleFunc("POST /sms", handlers.SendSMSCode)
	mux.HandleFunc("POST /resend", handlers.ResendWindow)
	mux.HandleFunc("POST /links", handlers.IssueDownloadLink)
	mux.HandleFunc("POST /previews", handlers.IssuePreviewLink)
	mux.HandleFunc("GET /download/{token}", handlers.Download)
	mux.HandleFunc("POST /invites", handlers.CreateInvite)
	mux.HandleFunc("POST /team-invites", handlers.CreateTeamInvite)
	mux.HandleFunc("POST /avatar", handlers.UpdateAvatar)
	mux.HandleFunc("GET /u/{uid}", handlers.PublicProfile)
	mux.HandleFunc("GET /frag/{uid}", handlers.ProfileFragment)
	mux.HandleFunc("POST /notes", handlers.StoreNote)
	mux.HandleFunc("POST /wishlist", handlers.AddToWishlist)
	mux.HandleFunc("POST /hooks/stripe", handlers.StripeWebhook)
	mux.HandleFunc("POST /hooks/github", handlers.GithubWebhook)
	mux.HandleFunc("POST /admin/maintenance", handlers.StartMaintenance)
	mux.HandleFunc("GET /api/", handlers.ProxyAPI)
	mux.HandleFunc("GET /static/", handlers.ProxyStatic)
	mux.HandleFunc("POST /reserve", handlers.Reserve)
	mux.HandleFunc("PUT /stock", handlers.SetStock)
	mux.HandleFunc("POST /posts/{id}/tags", handlers.TagPost)
	mux.HandleFunc("POST /posts/{id}/index", handlers.IndexTags)
	mux.HandleFunc("GET /t/{tenant}", handlers.TenantConfig)
	mux.HandleFunc("POST /t/{tenant}/migrate", handlers.MigrateTenant)
	mux.HandleFunc("POST /t/{tenant}/publish", handlers.PublishTenant)
	mux.HandleFunc("POST /seen", handlers.TouchLastSeen)
	mux.HandleFunc("POST /games/{game}/score", handlers.SubmitScore)
	mux.HandleFunc("PUT /prefs", handlers.SavePrefs)
	mux.HandleFunc("POST /prefs/theme", handlers.SetTheme)
	mux.HandleFunc("GET /catalog", handlers.Catalog)
	mux.HandleFunc("POST /login/check", handlers.LoginThrottle)

	var h http.Handler = mux
	h = handlers.RateLimit(h)
	h = handlers.EnforceQuota(h)
	h = handlers.AuditDaily(h)
	h = handlers.AuditEvent(h)
	h = handlers.CountAPIHits(h)
	workers.Serve(h)
}
