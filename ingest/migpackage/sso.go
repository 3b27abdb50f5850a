package migpackage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/sqlqueries"
)

// Configuration columns kept in sso_connections.config under their CSV
// names, and secret ones kept in sso_connections.secrets.
var (
	samlConfig = []string{"idpEntityId", "idpUrl", "x509Cert", "idpMetadataUrl", "customEntityId", "customAcsUrl",
		"idpIdAttribute", "emailAttribute", "firstNameAttribute", "lastNameAttribute", "nameAttribute", "idpInitiatedEnabled",
		"requestSigningCert", "assertionEncryptionCert", "connectionType"}
	samlSecrets = []string{"requestSigningKey", "assertionEncryptionKey", "nameIdEncryptionKey"}
	oidcConfig  = []string{"clientId", "discoveryEndpoint", "customRedirectUri", "connectionType"}
	oidcSecrets = []string{"clientSecret"}
	proxyConfig = []string{"sourceAcsUrl", "sourceEntityId", "sourceRedirectUri", "customAcsUrl", "customEntityId",
		"customRedirectUri", "workosConnectionId", "workosAcsUrl", "cutoverState", "notes"}
)

func stageSSO(ctx context.Context, run *ingest.Run, present map[string]bool, path func(string) string, setRows func(rel string, n int)) error {
	for _, c := range []struct {
		rel, protocol   string
		config, secrets []string
	}{
		{fileSAML, "saml", samlConfig, samlSecrets},
		{fileOIDC, "oidc", oidcConfig, oidcSecrets},
	} {
		if !present[c.rel] {
			continue
		}
		n, err := stageConnections(ctx, run, path(c.rel), c.protocol, c.config, c.secrets)
		if err != nil {
			return err
		}
		setRows(c.rel, n)
	}
	if present[fileAttrMaps] {
		n, err := stageAttributeMappings(ctx, run, path(fileAttrMaps))
		if err != nil {
			return err
		}
		setRows(fileAttrMaps, n)
	}
	if present[fileProxyRoutes] {
		n, err := stageProxyRoutes(ctx, run, path(fileProxyRoutes))
		if err != nil {
			return err
		}
		setRows(fileProxyRoutes, n)
	}
	_, err := run.Tx().ExecContext(ctx, `DELETE FROM sso_connections WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`,
		run.Src.Provider, run.Src.Tenant, run.ID)
	return err
}

func stageConnections(ctx context.Context, run *ingest.Run, path, protocol string, configCols, secretCols []string) (int, error) {
	upsert, err := run.Tx().PrepareContext(ctx, upsertConnectionSQL)
	if err != nil {
		return 0, err
	}
	defer upsert.Close()
	return readRows(ctx, run, path, nil, func(get func(string) string, line int) error {
		name, ext := get("name"), get("externalId")
		if name == "" {
			name = get("organizationName")
		}
		if name == "" {
			name = ext
		}
		if name == "" {
			return &ingest.LineError{File: path, Line: line, Field: "name", Msg: "no name, organizationName or externalId: the connection cannot be told apart"}
		}
		connID := ext
		if connID == "" {
			connID = protocol + ":" + name
		}
		var orgRow any
		orgID, orgExt, orgName := get("organizationId"), get("organizationExternalId"), get("organizationName")
		if key, res := ingest.OrgKey(orgID, orgExt, orgName); key != "" {
			id, err := ingest.EnsureOrg(ctx, run, key, res, orgID, orgExt, orgName, path, line)
			if err != nil {
				return err
			}
			orgRow = id
		}
		config := map[string]string{}
		if ext != "" {
			config["externalId"] = ext
		}
		for _, c := range configCols {
			if v := get(c); v != "" {
				config[c] = v
			}
		}
		var secrets any
		sec := map[string]string{}
		for _, c := range secretCols {
			if v := get(c); v != "" {
				sec[c] = v
			}
		}
		if len(sec) > 0 {
			b, _ := json.Marshal(sec)
			secrets = string(b)
		}
		domains := ingest.SplitMulti(get("domains"))
		if domains == nil {
			domains = []string{}
		}
		dj, _ := json.Marshal(domains)
		cj, _ := json.Marshal(config)
		_, err := upsert.ExecContext(rowCtx(ctx), run.Src.Provider, run.Src.Tenant, connID, protocol, name, orgRow, string(dj), string(cj), secrets, run.ID, line)
		if err != nil {
			return fmt.Errorf("%s:%d: stage connection %s: %w", path, line, name, err)
		}
		return nil
	})
}

// connectionMatch is how attribute mappings and proxy routes find their
// connection: by the externalId the connection files carry.
const connectionMatch = `source = ? AND source_tenant = ? AND coalesce(config ->> '$.externalId', source_connection_id) = ?`

func stageAttributeMappings(ctx context.Context, run *ingest.Run, path string) (int, error) {
	// This statement stays in Go: it ends with connectionMatch, which the
	// proxy-route update below shares.
	upd, err := run.Tx().PrepareContext(ctx, `UPDATE sso_connections
		SET attribute_mappings = json_insert(attribute_mappings, '$[#]', json_object('providerType', ?, 'userPoolAttribute', ?, 'idpClaim', ?))
		WHERE `+connectionMatch)
	if err != nil {
		return 0, err
	}
	defer upd.Close()
	return readRows(ctx, run, path, []string{"externalid"}, func(get func(string) string, line int) error {
		ext := get("externalId")
		res, err := upd.ExecContext(rowCtx(ctx), get("providerType"), get("userPoolAttribute"), get("idpClaim"), run.Src.Provider, run.Src.Tenant, ext)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return run.Warn(ctx, ingest.Warning{Code: "sso_unknown_connection", Entity: "sso_connection", SourceID: ext, File: path, Row: line,
				Message: fmt.Sprintf("custom attribute mapping for connection %q, which no connection file has; it is not staged", ext)})
		}
		return nil
	})
}

func stageProxyRoutes(ctx context.Context, run *ingest.Run, path string) (int, error) {
	upd, err := run.Tx().PrepareContext(ctx, `UPDATE sso_connections SET config = json_patch(config, ?) WHERE protocol = ? AND `+connectionMatch)
	if err != nil {
		return 0, err
	}
	defer upd.Close()
	return readRows(ctx, run, path, []string{"externalid"}, func(get func(string) string, line int) error {
		ext := get("externalId")
		patch := map[string]string{}
		for _, c := range proxyConfig {
			if v := get(c); v != "" {
				patch[c] = v
			}
		}
		if p := get("provider"); p != "" && p != run.Src.Provider {
			patch["provider"] = p
		}
		if !slices.Contains([]string{"", "legacy", "workos", "manual"}, get("cutoverState")) {
			if err := run.Warn(ctx, ingest.Warning{Code: "invalid_cutover_state", Entity: "sso_connection", SourceID: ext, File: path, Row: line,
				Message: fmt.Sprintf("cutoverState %q is not legacy, workos or manual", get("cutoverState"))}); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(patch)
		res, err := upd.ExecContext(rowCtx(ctx), string(b), get("protocol"), run.Src.Provider, run.Src.Tenant, ext)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return run.Warn(ctx, ingest.Warning{Code: "sso_unknown_connection", Entity: "sso_connection", SourceID: ext, File: path, Row: line,
				Message: fmt.Sprintf("proxy route for %s connection %q, which no connection file has; it is not staged", get("protocol"), ext)})
		}
		return nil
	})
}

// The statements of this file, kept as named files in sqlqueries.
var (
	upsertConnectionSQL = sqlqueries.MustLoad("ingest/package_connection.sql").SQL
)
