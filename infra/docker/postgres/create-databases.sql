-- Run once by the postgres image when its data volume is new: one database per service.
-- (The demo's init step creates any that are missing too, then applies the migrations.)
CREATE DATABASE ecommerce_order;
CREATE DATABASE ecommerce_inventory;
CREATE DATABASE ecommerce_payment;
CREATE DATABASE ecommerce_notification;
CREATE DATABASE ecommerce_analytics;
