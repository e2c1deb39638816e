package deploy

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// unitFile is a systemd unit: section -> key -> values in order.
type unitFile map[string]map[string][]string

func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line inside a section: %q", path, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// one returns the single value of key, failing when it is missing or repeated.
func (u unitFile) one(t *testing.T, section, key string) string {
	t.Helper()
	vs := u[section][key]
	if len(vs) != 1 {
		t.Fatalf("[%s] %s: want exactly one value, got %q", section, key, vs)
	}
	return vs[0]
}

func TestSystemdUnitIsHardenedAndSized(t *testing.T) {
	t.Parallel()
	u := parseUnit(t, "analytics-bot.service")

	for key, want := range map[string]string{
		"ExecStart":               "/usr/local/bin/analytics-bot serve",
		"User":                    "analytics-bot",
		"Group":                   "analytics-bot",
		"Restart":                 "on-failure",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"RestrictSUIDSGID":        "yes",
		"MemoryDenyWriteExecute":  "yes",
		"SystemCallArchitectures": "native",
	} {
		if got := u.one(t, "Service", key); got != want {
			t.Errorf("[Service] %s=%q, want %q", key, got, want)
		}
	}
	env := map[string]string{}
	for _, e := range u["Service"]["Environment"] {
		k, v, _ := strings.Cut(e, "=")
		env[k] = v
	}
	if env["SSM_PREFIX"] != "/analytics-bot" {
		t.Errorf("Environment SSM_PREFIX=%q, want /analytics-bot", env["SSM_PREFIX"])
	}
	if !regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`).MatchString(env["AWS_REGION"]) {
		t.Errorf("Environment AWS_REGION=%q, want a region", env["AWS_REGION"])
	}

	// A t3.micro / t4g.micro has 1 GiB; leave the OS a third of it.
	maxMiB := mebibytes(t, u.one(t, "Service", "MemoryMax"))
	if maxMiB < 256 || maxMiB > 700 {
		t.Errorf("MemoryMax=%d MiB, want 256-700 MiB on a 1 GiB instance", maxMiB)
	}
	if high := mebibytes(t, u.one(t, "Service", "MemoryHigh")); high >= maxMiB {
		t.Errorf("MemoryHigh=%d MiB must be below MemoryMax=%d MiB", high, maxMiB)
	}
	if limit := strings.TrimSuffix(env["GOMEMLIMIT"], "MiB"); limit == env["GOMEMLIMIT"] {
		t.Errorf("GOMEMLIMIT=%q, want a MiB value below MemoryHigh", env["GOMEMLIMIT"])
	} else if n, _ := strconv.Atoi(limit); n <= 0 || n >= maxMiB {
		t.Errorf("GOMEMLIMIT=%s MiB, want below MemoryMax=%d MiB", limit, maxMiB)
	}
	if got := u.one(t, "Install", "WantedBy"); got != "multi-user.target" {
		t.Errorf("[Install] WantedBy=%q", got)
	}
}

func mebibytes(t *testing.T, v string) int {
	t.Helper()
	mult := map[string]int{"M": 1, "G": 1024}
	unit := v[len(v)-1:]
	n, err := strconv.Atoi(v[:len(v)-1])
	if _, ok := mult[unit]; !ok || err != nil {
		t.Fatalf("memory value %q: want <n>M or <n>G", v)
	}
	return n * mult[unit]
}

func TestUserDataInstallsVerifiesMigratesThenStarts(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, map[string]cty.Value{
		"release_base_url": cty.StringVal("https://releases.example.com/analytics-bot"),
		"release_version":  cty.StringVal("v2.0.0"),
		"ssm_prefix":       cty.StringVal("/analytics-bot"),
		"aws_region":       cty.StringVal("eu-west-1"),
	})
	app := m.block(t, "aws_instance.app")
	script := e.str(attr(app, "user_data"), e.instances("aws_instance.app")[0])

	for _, want := range []string{
		"RELEASE_BASE_URL='https://releases.example.com/analytics-bot'",
		"RELEASE_VERSION='v2.0.0'",
		"AWS_REGION='eu-west-1'",
		"SSM_PREFIX='/analytics-bot'",
		"Environment=AWS_REGION=$AWS_REGION",
		"Environment=SSM_PREFIX=$SSM_PREFIX",
		"/etc/systemd/system/$UNIT",
		"UNIT=analytics-bot.service",
		"BINARY=\"analytics-bot-linux-$GOARCH\"",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("user data lacks %q", want)
		}
	}
	// Order matters: verify before installing, migrate before starting.
	steps := []string{"sha256sum --check --strict", "install -m 0755", "/usr/local/bin/analytics-bot migrate", "systemctl enable --now \"$UNIT\""}
	last := -1
	for _, s := range steps {
		i := strings.Index(script, s)
		if i < 0 || i < last {
			t.Errorf("user data: %q missing or out of order (want %q)", s, steps)
		}
		last = i
	}
	if !strings.HasPrefix(script, "#!/bin/bash\n") || !strings.Contains(script, "set -euo pipefail") {
		t.Errorf("user data must be a strict bash script")
	}

	// The artifacts the user data fetches are the ones deploy/release.sh produces.
	release, err := os.ReadFile("release.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"analytics-bot-linux-$arch", "ARCHES=(amd64 arm64)", "SHA256SUMS", "analytics-bot.service",
		"CGO_ENABLED=1", "-trimpath", `-ldflags "-s -w -X main.version=$VERSION`} {
		if !strings.Contains(string(release), want) {
			t.Errorf("release.sh lacks %q", want)
		}
	}
}
