// Package demo builds Haven's demo data set for the city of Xinxiang (新乡):
// its civil-affairs bureau, relief station, police, city management,
// hospitals, finance bureau and a volunteer team, and one user per role.
// Later capabilities add their own demo records here, always through the
// domain services so the demo exercises the same rules as real use.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// Account is one demo login.
type Account struct {
	Username   string
	Password   string
	Role       auth.Role
	Name       string
	Department string
}

type dept struct {
	key                string
	name, nameEn, kind string
	address            string
	lat, lng           float64
}

// Departments of the demo city. Coordinates are in central 新乡 (WGS-84).
var departments = []dept{
	{"bureau", "新乡市民政局", "Xinxiang Civil Affairs Bureau", "civil_affairs", "新乡市红旗区人民东路", 35.3037, 113.8852},
	{"station", "新乡市救助管理站", "Xinxiang Relief Station", "station", "新乡市牧野区新二街", 35.3147, 113.8914},
	{"police", "新乡市公安局110指挥中心", "Xinxiang Police 110 Command Centre", "police", "新乡市红旗区新中大道", 35.2935, 113.9052},
	{"city", "新乡市城市管理局(数字城管中心)", "Xinxiang City Management (Digital City Management Centre)", "city_management", "新乡市红旗区金穗大道", 35.2884, 113.8786},
	{"psych", "新乡市精神病医院", "Xinxiang Psychiatric Hospital", "hospital", "新乡市牧野区建设东路", 35.3216, 113.9124},
	{"hospital2", "新乡市第二人民医院", "Xinxiang Second People's Hospital", "hospital", "新乡市卫滨区健康路", 35.3001, 113.8655},
	{"finance", "新乡市财政局", "Xinxiang Finance Bureau", "finance", "新乡市红旗区平原路", 35.2969, 113.8917},
	{"volunteers", "新乡市暖冬志愿服务队", "Xinxiang Warm Winter Volunteer Team", "volunteer", "新乡市卫滨区胜利路", 35.3068, 113.8718},
}

var accounts = []struct {
	username, name string
	role           auth.Role
	dept           string
	phone          string
}{
	{"admin", "李卫东", auth.RoleAdmin, "bureau", "13837300101"},
	{"dispatcher", "张丽", auth.RoleDispatcher, "station", "13837300102"},
	{"patrol", "王强", auth.RolePatrol, "station", "13837300103"},
	{"staff", "赵敏", auth.RoleStaff, "station", "13837300104"},
	{"medical", "刘芳", auth.RoleMedical, "station", "13837300105"},
	{"safety", "陈刚", auth.RoleSafety, "station", "13837300106"},
	{"finance", "孙静", auth.RoleFinance, "finance", "13837300107"},
	{"volunteer", "周洋", auth.RoleVolunteer, "volunteers", "13837300108"},
	{"leader", "郑国华", auth.RoleLeader, "bureau", "0373-5089797"},
	{"hospital", "马医生", auth.RoleHospital, "hospital2", "0373-3023120"},
}

// Seed creates the demo departments and accounts. password, when not
// empty, is every account's password; otherwise each gets a random one.
// It fails with Conflict if the database already holds users.
func Seed(ctx context.Context, s *auth.Service, password string) ([]Account, error) {
	existing, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return nil, errs.E(errs.Conflict, "demo.Seed", "the database already holds users; the demo needs an empty one")
	}
	a := auth.CLIActor()
	ids := map[string]*auth.Department{}
	for _, d := range departments {
		nd, err := s.CreateDepartment(ctx, a, auth.Department{Name: d.name, NameEn: d.nameEn, Kind: d.kind, Address: d.address, Lat: d.lat, Lng: d.lng})
		if err != nil {
			return nil, fmt.Errorf("demo department %s: %w", d.name, err)
		}
		ids[d.key] = nd
	}
	var out []Account
	for _, u := range accounts {
		pw := password
		if pw == "" {
			pw = RandomPassword()
		}
		_, err := s.CreateUser(ctx, a, auth.NewUser{Username: u.username, DisplayName: u.name, Role: u.role,
			DepartmentID: ids[u.dept].ID, Phone: u.phone, Password: pw})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.username, err)
		}
		out = append(out, Account{Username: u.username, Password: pw, Role: u.role, Name: u.name, Department: ids[u.dept].Name})
	}
	return out, nil
}

// as is the demo account username acting: the demo's records name the
// station's staff who would have made them, as real use does.
func as(username string) auth.Actor {
	for _, u := range accounts {
		if u.username == username {
			return auth.Actor{Name: u.name, Username: u.username, Role: u.role}
		}
	}
	panic("demo: no account " + username)
}

// RandomPassword returns 14 characters that are easy to read aloud and type
// (no 0/O, 1/l/I).
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}
