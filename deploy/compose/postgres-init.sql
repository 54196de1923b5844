-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d): a database per
-- service (DESIGN §1), named as the GONGKAI_<SERVICE>_DATABASE_URL values of docker-compose.yml say
-- (tests/deploy/test_compose.py checks the two agree). The tables come from `gongkai migrate`.
CREATE DATABASE gongkai_requests;
CREATE DATABASE gongkai_scoring;
CREATE DATABASE gongkai_appraisal;
CREATE DATABASE gongkai_accountability;
CREATE DATABASE gongkai_notifier;
