// Host patterns on test/fixtures/inventories/limit and the hosts they select, in inventory order.
// The sets were printed by `ansible all -i hosts.yml --list-hosts -l PATTERN` (ansible-compare.test.ts
// re-checks them on every run; Ansible itself lists grandchildren's hosts last).

export const LIMIT_CASES: [string, string[]][] = [
  ['all', ['bastion', 'web1', 'web2', 'web3', 'db1', 'db2', 'hook1']],
  ['*', ['bastion', 'web1', 'web2', 'web3', 'db1', 'db2', 'hook1']],
  ['web', ['web1', 'web2', 'web3']],
  ['web1', ['web1']],
  ['web*', ['web1', 'web2', 'web3', 'hook1']],
  ['web:&prod', ['web1']],
  ['all:!web', ['bastion', 'db1', 'db2', 'hook1']],
  ['!db', ['bastion', 'web1', 'web2', 'web3', 'hook1']],
  ['db,web_eu', ['web3', 'db1', 'db2']],
  ['~^db\\d', ['db1', 'db2']],
  ['~eb', []],
  ['web[0]', ['web1']],
  ['web[1:]', ['web2', 'web3']],
  ['web[-1]', ['web3']],
  ['ungrouped', ['bastion']],
  ['prod:db', ['web1', 'db1', 'db2']],
  ['w?b1', ['web1']],
  ['db[!1]', ['db2']],
  ['web1:db1', ['web1', 'db1']],
  ['web,db,&prod', ['web1', 'db1']],
  ['all,!web,&prod', ['db1']],
  ['nomatch', []],
];
