// Package tfprovider is the trogon Terraform provider. Customers describe
// their sites, redirects, toggles and deploy tokens in HCL; the provider
// writes them to the KV namespace the edge Worker reads.
package tfprovider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
)

var _ provider.Provider = (*trogonProvider)(nil)

type trogonProvider struct {
	version string
}

type providerModel struct {
	APIToken    types.String `tfsdk:"api_token"`
	AccountID   types.String `tfsdk:"account_id"`
	NamespaceID types.String `tfsdk:"namespace_id"`
	BaseURL     types.String `tfsdk:"base_url"`
}

// New returns the provider factory used by providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &trogonProvider{version: version} }
}

func (p *trogonProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "trogon"
	resp.Version = p.version
}

func (p *trogonProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages sites published on the trogon edge platform.",
		Attributes: map[string]schema.Attribute{
			"api_token":    schema.StringAttribute{Optional: true, Sensitive: true, Description: "Cloudflare API token with Workers KV write access. Defaults to TROGON_API_TOKEN."},
			"account_id":   schema.StringAttribute{Optional: true, Description: "Cloudflare account ID. Defaults to TROGON_ACCOUNT_ID."},
			"namespace_id": schema.StringAttribute{Optional: true, Description: "KV namespace bound to the edge Worker. Defaults to TROGON_NAMESPACE_ID."},
			"base_url":     schema.StringAttribute{Optional: true, Description: "Override of the Cloudflare API base URL."},
		},
	}
}

func (p *trogonProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings := kvrest.Settings{
		APIToken:    stringOr(cfg.APIToken, os.Getenv("TROGON_API_TOKEN")),
		AccountID:   stringOr(cfg.AccountID, os.Getenv("TROGON_ACCOUNT_ID")),
		NamespaceID: stringOr(cfg.NamespaceID, os.Getenv("TROGON_NAMESPACE_ID")),
		BaseURL:     cfg.BaseURL.ValueString(),
	}
	store, err := kvrest.Open(settings)
	if err != nil {
		resp.Diagnostics.AddError("Unable to configure trogon provider", err.Error())
		return
	}
	resp.ResourceData = store
	resp.DataSourceData = store
}

func (p *trogonProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newSiteConfigResource,
		newRedirectResource,
		newToggleResource,
		newDeployTokenResource,
		newHostnameResource,
		newMaintenanceResource,
		newQuotaResource,
	}
}

func (p *trogonProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newSitesDataSource, newTogglesDataSource}
}

func stringOr(v types.String, fallback string) string {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return fallback
	}
	return v.ValueString()
}

// storeFrom is shared by every resource's Configure.
func storeFrom(data any, diags interface {
	AddError(summary, detail string)
}) *kvrest.Store {
	if data == nil {
		return nil
	}
	s, ok := data.(*kvrest.Store)
	if !ok {
		diags.AddError("Unexpected provider data", "expected *kvrest.Store; please report this to the provider developers")
		return nil
	}
	return s
}
